#include "apps/firewall/flow_table.hpp"

namespace etherbeam::apps::firewall {

const char* name_of(connection_state s) {
  switch (s) {
    case connection_state::new_flow: return "new";
    case connection_state::established: return "established";
    case connection_state::related: return "related";
    case connection_state::invalid: return "invalid";
  }
  return "?";
}

const char* name_of(tcp_state s) {
  switch (s) {
    case tcp_state::none: return "none";
    case tcp_state::syn_sent: return "SYN_SENT";
    case tcp_state::syn_recv: return "SYN_RECV";
    case tcp_state::established: return "ESTABLISHED";
    case tcp_state::fin_wait: return "FIN_WAIT";
    case tcp_state::close_wait: return "CLOSE_WAIT";
    case tcp_state::last_ack: return "LAST_ACK";
    case tcp_state::time_wait: return "TIME_WAIT";
    case tcp_state::close: return "CLOSE";
  }
  return "?";
}

flow_table::flow_table(settings s) : settings_(s) { index_.reserve(std::min<std::size_t>(s.max_flows, 4096) * 2); }

std::size_t flow_table::bytes_per_flow() {
  // Two index nodes (key, value, next pointer, cached hash) and two bucket slots
  // at load factor 1, and the entry itself.
  constexpr std::size_t node = sizeof(void*) + sizeof(std::pair<const flow_tuple, flow_match>) + sizeof(std::size_t);
  return sizeof(flow_entry) + 2 * (node + sizeof(void*));
}

std::optional<flow_match> flow_table::find(const flow_tuple& t, clock::time_point now) {
  auto it = index_.find(t);
  if (it == index_.end()) return std::nullopt;
  auto m = it->second;
  if (entries_[m.id].expires <= now) {
    remove(m.id);
    return std::nullopt;
  }
  return m;
}

std::optional<added_flow> flow_table::add(const flow_tuple& original, const flow_tuple& reply, bool to_us,
                                          clock::time_point now) {
  if (!free(original, now) || !free(reply, now)) return std::nullopt;
  bool made_room = false;
  if (live_ >= settings_.max_flows && (now - last_sweep_ < std::chrono::seconds(1) || expire(now) == 0)) {
    if (!drop_an_unanswered_flow(now)) return std::nullopt;
    made_room = true;
  }
  std::uint32_t id;
  if (!free_ids_.empty()) {
    id = free_ids_.back();
    free_ids_.pop_back();
  } else {
    id = static_cast<std::uint32_t>(entries_.size());
    entries_.emplace_back();
  }
  auto& e = entries_[id];
  e = flow_entry{};
  e.original = original;
  e.reply = reply;
  e.to_us = to_us;
  e.expires = now + settings_.timeouts.udp; // until the first update sets its own
  index_.emplace(original, flow_match{id, direction::original});
  index_.emplace(reply, flow_match{id, direction::reply});
  ++live_;
  return added_flow{id, made_room};
}

// Linux looks for one in a few hash buckets; this looks at the next few
// entries after where it last found one, which in a flood are the oldest.
bool flow_table::drop_an_unanswered_flow(clock::time_point now) {
  constexpr std::uint32_t looks = 64;
  auto n = static_cast<std::uint32_t>(entries_.size());
  for (std::uint32_t i = 0; i < std::min(looks, n); ++i) {
    std::uint32_t id = (eviction_cursor_ + i) % n;
    const auto& e = entries_[id];
    if (in_use(e) && (!e.assured || e.expires <= now)) {
      remove(id);
      eviction_cursor_ = (id + 1) % n;
      return true;
    }
  }
  eviction_cursor_ = (eviction_cursor_ + std::min(looks, n)) % std::max<std::uint32_t>(n, 1);
  return false;
}

void flow_table::remove(std::uint32_t id) {
  auto& e = entries_[id];
  index_.erase(e.original);
  index_.erase(e.reply);
  e.expires = clock::time_point{};
  free_ids_.push_back(id);
  --live_;
}

std::size_t flow_table::expire(clock::time_point now) {
  last_sweep_ = now;
  std::size_t removed = 0;
  for (std::uint32_t id = 0; id < entries_.size(); ++id)
    if (in_use(entries_[id]) && entries_[id].expires <= now) {
      remove(id);
      ++removed;
    }
  return removed;
}

namespace {

// TCP's state machine, reduced to what a firewall decides by. Returns false
// for a packet that does not belong where the flow is (conntrack's "invalid").
bool next_tcp_state(flow_entry& e, direction dir, const packet_facts& facts) {
  auto flags = facts.tcp_flags;
  const std::uint8_t me = dir == direction::original ? 1 : 2, other = me ^ 3;
  bool syn = flags & protocols::tcp_field::syn, ack = flags & protocols::tcp_field::ack, fin = flags & protocols::tcp_field::fin;
  if (flags & protocols::tcp_field::rst) {
    if (!e.window.reset_acceptable(static_cast<int>(dir), facts)) return false; // a guess from outside
    e.tcp = tcp_state::close;
    return true;
  }
  switch (e.tcp) {
    case tcp_state::none: // the first packet: only a SYN opens a flow
      if (!syn || ack || dir != direction::original) return false;
      e.tcp = tcp_state::syn_sent;
      return true;
    case tcp_state::syn_sent:
      if (dir == direction::original) return syn && !ack; // a retransmitted SYN
      if (!syn) return false;
      e.tcp = tcp_state::syn_recv; // SYN-ACK (or a simultaneous open's SYN)
      return true;
    case tcp_state::syn_recv:
      if (syn) return true; // retransmissions of either side's SYN
      if (dir == direction::original && ack) e.tcp = fin ? tcp_state::fin_wait : tcp_state::established;
      if (fin) e.fin_from |= me;
      return ack;
    case tcp_state::established:
      if (syn) return ack && dir == direction::reply; // a retransmitted SYN-ACK
      if (fin) {
        e.fin_from |= me;
        e.tcp = tcp_state::fin_wait;
      }
      return true;
    case tcp_state::fin_wait:
    case tcp_state::close_wait:
      if (syn) return false;
      if (fin) {
        e.fin_from |= me;
        if (e.fin_from == 3) e.tcp = tcp_state::last_ack;
      } else if (ack && (e.fin_from & other)) {
        e.tcp = tcp_state::close_wait; // the FIN acknowledged, this side still sending
      }
      return true;
    case tcp_state::last_ack:
      if (syn) return false;
      if (ack && !fin) e.tcp = tcp_state::time_wait; // the last FIN acknowledged
      return true;
    case tcp_state::time_wait:
    case tcp_state::close:
      if (syn && !ack && dir == direction::original) { // the same ports opened again
        e = flow_entry{e.original, e.reply, tcp_state::syn_sent, false, e.to_us, 0, false, e.expires, {}, {}, {}};
        return true;
      }
      return !syn;
  }
  return false;
}

clock::duration timeout_of(const flow_entry& e, const flow_timeouts& t) {
  switch (e.original.protocol) {
    case protocols::ip_protocol::tcp:
      switch (e.tcp) {
        case tcp_state::none:
        case tcp_state::syn_sent: return t.tcp_syn_sent;
        case tcp_state::syn_recv: return t.tcp_syn_recv;
        case tcp_state::established: return t.tcp_established;
        case tcp_state::fin_wait: return t.tcp_fin_wait;
        case tcp_state::close_wait: return t.tcp_close_wait;
        case tcp_state::last_ack: return t.tcp_last_ack;
        case tcp_state::time_wait: return t.tcp_time_wait;
        case tcp_state::close: return t.tcp_close;
      }
      return t.tcp_close;
    case protocols::ip_protocol::udp: return e.seen_reply ? t.udp_stream : t.udp;
    case protocols::ip_protocol::icmp: return t.icmp;
    default: return t.other;
  }
}

} // namespace

connection_state advance_flow(flow_entry& e, direction dir, const packet_facts& facts, std::size_t bytes,
                              clock::time_point now, const flow_timeouts& timeouts) {
  if (e.original.protocol == protocols::ip_protocol::tcp && !facts.is_fragment) {
    if (!next_tcp_state(e, dir, facts)) return connection_state::invalid;
    if (!(facts.tcp_flags & protocols::tcp_field::rst)) e.window.track(static_cast<int>(dir), facts);
  }
  auto i = static_cast<std::size_t>(dir);
  bool first = e.packets[0] + e.packets[1] == 0;
  ++e.packets[i];
  e.bytes[i] += bytes;
  if (dir == direction::reply) e.seen_reply = true;
  // What a full table keeps (Linux's IPS_ASSURED): a TCP connection once
  // established, a UDP or other flow once answered (one to etherbeam, whose
  // answers are not seen here: once it sent again); never an ICMP echo.
  switch (e.original.protocol) {
    case protocols::ip_protocol::tcp: e.assured |= e.tcp == tcp_state::established; break;
    case protocols::ip_protocol::icmp: break;
    default: e.assured |= e.seen_reply || (e.to_us && !first);
  }
  e.expires = now + timeout_of(e, timeouts);
  if (e.seen_reply || (e.to_us && !first)) return connection_state::established;
  return connection_state::new_flow;
}

connection_state flow_table::update(flow_match m, const packet_facts& facts, std::size_t bytes,
                                    clock::time_point now) {
  return advance_flow(entries_[m.id], m.dir, facts, bytes, now, settings_.timeouts);
}

} // namespace etherbeam::apps::firewall
