#include "apps/firewall/packet_trace.hpp"

#include <algorithm>
#include <chrono>
#include <tuple>
#include <sstream>
#include <thread>

namespace etherbeam::apps::firewall {

void trace_buffer::arm(trace_request r, std::size_t packets) {
  std::lock_guard guard(lock_);
  request_ = r;
  lines_.clear();
  remaining_.store(packets);
}

bool trace_buffer::wanted(const packet_facts& f) const {
  if (remaining_.load(std::memory_order_relaxed) == 0) return false;
  std::lock_guard guard(lock_);
  const auto& r = request_;
  if (r.protocol && f.flow.protocol != r.protocol) return false;
  if (!r.host.is_unspecified() && f.flow.source != r.host && f.flow.destination != r.host) return false;
  if (r.port && f.flow.source_port != r.port && f.flow.destination_port != r.port) return false;
  return true;
}

void trace_buffer::add(std::string text) {
  std::lock_guard guard(lock_);
  if (remaining_.load() == 0) return;
  static std::atomic<std::uint64_t> judged{0}; // across buffers: the order packets were judged in
  lines_.emplace_back(judged.fetch_add(1), std::move(text));
  remaining_.fetch_sub(1);
}

std::vector<std::pair<std::uint64_t, std::string>> trace_buffer::take() {
  std::lock_guard guard(lock_);
  return std::exchange(lines_, {});
}

std::size_t trace_buffer::collected() const {
  std::lock_guard guard(lock_);
  return lines_.size();
}

filter_trace collecting_into(std::vector<std::string>& met) {
  return {[&met](const chain& c, const rule& r, bool hit) {
    met.push_back("  " + c.name + " line " + std::to_string(r.line) + ": " + r.text + (hit ? "  <- match" : ""));
  }};
}

std::string describe_trace(const std::string& in_link, const packet_facts& facts, const filter_decision& d,
                           const std::string& out_link, const std::vector<std::string>& met) {
  using kind = filter_decision::kind;
  std::string line = in_link + " " + facts.flow.to_string() + " ct state " + name_of(d.state) +
                     (d.path.to_us ? " input" : " forward");
  if (!out_link.empty()) line += " oif " + out_link;
  for (auto& m : met) line += "\n" + m;
  const char* what = d.what == kind::accept ? "accept" : d.what == kind::drop ? "drop" : d.what == kind::reject ? "reject"
                     : d.what == kind::invalid ? "drop (invalid)" : "drop (flow table full)";
  line += std::string("\n  verdict ") + what +
          (d.skipped_rules ? " (established flow: rules skipped)" : d.by ? " by line " + std::to_string(d.by->line)
                                                                         : d.what == kind::accept || d.what == kind::drop ? " (policy)" : "");
  if (d.new_source) line += "\n  snat to " + d.new_source->address.to_string() + ":" + std::to_string(d.new_source->port);
  if (d.new_destination)
    line += "\n  dnat to " + d.new_destination->address.to_string() + ":" + std::to_string(d.new_destination->port);
  return line;
}

trace_buffers& trace_buffers::of_process() {
  static trace_buffers instance;
  return instance;
}

std::shared_ptr<trace_buffer> trace_buffers::open(std::string owner) {
  auto buffer = std::make_shared<trace_buffer>();
  std::lock_guard guard(lock_);
  std::erase_if(open_, [](const auto& o) { return o.second.expired(); });
  open_.emplace_back(std::move(owner), buffer);
  return buffer;
}

std::string trace_buffers::run(std::string_view arguments) {
  std::istringstream words{std::string(arguments)};
  std::size_t count = 0;
  int seconds = 0;
  words >> count >> seconds;
  if (!words || count == 0 || seconds <= 0) return "error: trace COUNT SECONDS [tcp|udp|icmp] [host ADDRESS] [port PORT]";
  trace_request r;
  for (std::string w; words >> w;) {
    if (w == "tcp") r.protocol = protocols::ip_protocol::tcp;
    else if (w == "udp") r.protocol = protocols::ip_protocol::udp;
    else if (w == "icmp") r.protocol = protocols::ip_protocol::icmp;
    else if (w == "host" && words >> w) {
      auto a = protocols::ipv4_address::from_string(w);
      if (!a) return "error: trace: \"" + w + "\" is not an IPv4 address";
      r.host = *a;
    } else if (w == "port" && words >> w) {
      try {
        r.port = static_cast<std::uint16_t>(std::stoul(w));
      } catch (const std::exception&) {
        return "error: trace: \"" + w + "\" is not a port";
      }
    } else {
      return "error: trace: unknown filter word \"" + w + "\" (tcp, udp, icmp, host ADDRESS, port PORT)";
    }
  }
  std::vector<std::pair<std::string, std::shared_ptr<trace_buffer>>> watched;
  {
    std::lock_guard guard(lock_);
    for (auto& [owner, buffer] : open_)
      if (auto b = buffer.lock()) watched.emplace_back(owner, std::move(b));
  }
  if (watched.empty()) return "error: trace: no firewall runs (set [apps.router] or [apps.bridge] firewall)";
  for (auto& w : watched) w.second->arm(r, count);
  auto collected = [&] {
    std::size_t n = 0;
    for (auto& w : watched) n += w.second->collected();
    return n;
  };
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (collected() < count && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20)); // the control actor's own thread: it may wait
  for (auto& w : watched) w.second->disarm();
  // The first COUNT packets judged, whichever firewall judged them.
  std::vector<std::tuple<std::uint64_t, std::string, std::string>> lines;
  for (auto& [owner, buffer] : watched)
    for (auto& [order, line] : buffer->take()) lines.emplace_back(order, owner, std::move(line));
  std::sort(lines.begin(), lines.end());
  if (lines.size() > count) lines.resize(count);
  std::string out;
  for (auto& [order, owner, line] : lines) out += (watched.size() > 1 ? owner + ": " : "") + line + "\n";
  if (out.empty()) out = "no packet matched within " + std::to_string(seconds) + " s\n";
  return out;
}

} // namespace etherbeam::apps::firewall
