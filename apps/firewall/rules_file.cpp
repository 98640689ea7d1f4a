#include "apps/firewall/rules_file.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>

#include "protocols/icmpv4.hpp"

namespace etherbeam::apps::firewall {

using namespace protocols;

namespace {

struct token {
  std::string text;
  std::size_t line;
};

std::vector<token> tokenize(std::string_view text) {
  std::vector<token> out;
  std::size_t line = 1;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) out.push_back({std::move(word), line});
    word.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '#') {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
    } else if (c == '\n') {
      flush();
      out.push_back({"\n", line});
      ++line;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      flush();
    } else if (c == '{' || c == '}' || c == ',') {
      flush();
      out.push_back({std::string(1, c), line});
    } else {
      word += c;
    }
  }
  flush();
  out.push_back({"\n", line});
  return out;
}

const std::map<std::string, std::uint8_t, std::less<>> icmp_types = {
  {"echo-reply", 0}, {"destination-unreachable", 3}, {"source-quench", 4}, {"redirect", 5},
  {"echo-request", 8}, {"router-advertisement", 9}, {"router-solicitation", 10}, {"time-exceeded", 11},
  {"parameter-problem", 12}, {"timestamp-request", 13}, {"timestamp-reply", 14},
};

class parser {
public:
  parser(std::string_view text, const std::vector<std::string>& links, const std::vector<actors::link_group>& groups)
      : tokens_(tokenize(text)), links_(links), groups_(groups) {}

  std::shared_ptr<const rule_set> run() {
    std::optional<chain> input, forward;
    std::vector<nat_rule> nat;
    while (!at_end()) {
      if (peek() == "\n") {
        next();
        continue;
      }
      auto& word = next();
      if (word.text == "set") {
        read_set();
      } else if (word.text == "chain") {
        auto& name = next();
        if (name.text != "input" && name.text != "forward")
          fail(name, "unknown chain \"" + name.text + "\" (etherbeam has two: input, forward)");
        auto& slot = name.text == "input" ? input : forward;
        if (slot) fail(name, "chain " + name.text + " is defined twice");
        slot = read_chain(name.text);
      } else if (word.text == "nat") {
        expect("{");
        expect("\n");
        read_nat(nat);
      } else {
        fail(word, "expected set, chain or nat, found \"" + word.text + "\"");
      }
    }
    if (!input) input = chain{"input", action::accept, {}};
    if (!forward) forward = chain{"forward", action::accept, {}};
    return std::make_shared<const rule_set>(std::move(*input), std::move(*forward), std::move(nat));
  }

private:
  [[noreturn]] void fail(const token& at, const std::string& why) const { throw rules_error(at.line, why); }
  bool at_end() const { return pos_ >= tokens_.size(); }
  const std::string& peek() const {
    static const std::string none;
    return at_end() ? none : tokens_[pos_].text;
  }
  const token& next() {
    if (at_end()) throw rules_error(tokens_.empty() ? 1 : tokens_.back().line, "the file ends in the middle of a rule");
    return tokens_[pos_++];
  }
  void expect(const std::string& what) {
    auto& t = next();
    if (t.text != what)
      fail(t, "expected " + (what == "\n" ? std::string("the end of the line") : "\"" + what + "\"") + ", found " +
                (t.text == "\n" ? std::string("the end of the line") : "\"" + t.text + "\""));
  }

  ipv4_prefix prefix(const token& t) const {
    auto slash = t.text.find('/');
    auto address = ipv4_address::from_string(std::string_view(t.text).substr(0, slash));
    if (!address) fail(t, "\"" + t.text + "\" is not an IPv4 address or prefix (like 10.0.0.0/8)");
    ipv4_prefix p{*address, 32};
    if (slash != std::string::npos) {
      unsigned length = 99;
      auto tail = std::string_view(t.text).substr(slash + 1);
      auto [end, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), length);
      if (ec != std::errc() || end != tail.data() + tail.size() || length > 32)
        fail(t, "\"" + t.text + "\": the prefix length must be 0 to 32");
      p.length = static_cast<std::uint8_t>(length);
      if (length < 32 && (p.network.value & ~(length ? ~0u << (32 - length) : 0u)))
        fail(t, "\"" + t.text + "\" has host bits set (did you mean " +
                  ipv4_address{p.network.value & (length ? ~0u << (32 - length) : 0u)}.to_string() + "/" +
                  std::to_string(length) + "?)");
    }
    return p;
  }

  // `{ a, b, ... }` after its opening brace, across lines.
  std::vector<ipv4_prefix> prefix_list() {
    std::vector<ipv4_prefix> list;
    for (;;) {
      auto& t = next();
      if (t.text == "\n" || t.text == ",") continue;
      if (t.text == "}") break;
      list.push_back(prefix(t));
    }
    return list;
  }

  void read_set() {
    auto& name = next();
    if (name.text == "\n" || name.text == "{") fail(name, "a set needs a name: set NAME { 10.0.0.0/8, ... }");
    if (sets_.count(name.text)) fail(name, "set " + name.text + " is defined twice");
    expect("{");
    sets_[name.text] = std::make_shared<const std::vector<ipv4_prefix>>(prefix_list());
  }

  address_set addresses(bool& negated) {
    if (peek() == "!=") {
      next();
      negated = true;
    }
    auto& t = next();
    if (t.text == "{") return std::make_shared<const std::vector<ipv4_prefix>>(prefix_list());
    if (!t.text.empty() && t.text[0] == '@') {
      auto it = sets_.find(t.text.substr(1));
      if (it == sets_.end()) fail(t, "no set named " + t.text.substr(1) + " (define it above: set NAME { ... })");
      return it->second;
    }
    return std::make_shared<const std::vector<ipv4_prefix>>(std::vector<ipv4_prefix>{prefix(t)});
  }

  unsigned number(const token& t, unsigned max, const std::string& what) const {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
    if (ec != std::errc() || end != t.text.data() + t.text.size() || v > max)
      fail(t, "\"" + t.text + "\" is not a " + what + " (0 to " + std::to_string(max) + ")");
    return v;
  }

  port_range ports(const token& t) const {
    auto dash = t.text.find('-');
    if (dash == std::string::npos) {
      auto p = static_cast<std::uint16_t>(number(t, 65535, "port"));
      return {p, p};
    }
    token low{t.text.substr(0, dash), t.line}, high{t.text.substr(dash + 1), t.line};
    port_range r{static_cast<std::uint16_t>(number(low, 65535, "port")),
                 static_cast<std::uint16_t>(number(high, 65535, "port"))};
    if (r.low > r.high) fail(t, "port range " + t.text + " runs backwards");
    return r;
  }

  // A link's name, or a bridge's for all its members.
  link_set link(const token& t) const {
    auto it = std::find(links_.begin(), links_.end(), t.text);
    if (it != links_.end()) return {{static_cast<actors::link_index>(it - links_.begin())}};
    for (const auto& g : groups_)
      if (g.name == t.text) return {g.members};
    std::string known;
    for (const auto& l : links_) known += (known.empty() ? "" : ", ") + l;
    for (const auto& g : groups_) known += ", " + g.name + " (a bridge)";
    fail(t, "no link named \"" + t.text + "\" (the links served: " + known + ")");
  }

  std::uint8_t protocol_number(const token& t) const {
    if (t.text == "tcp") return ip_protocol::tcp;
    if (t.text == "udp") return ip_protocol::udp;
    if (t.text == "icmp") return ip_protocol::icmp;
    return static_cast<std::uint8_t>(number(t, 255, "protocol (tcp, udp, icmp or a number)"));
  }

  static std::optional<action> action_named(const std::string& s) {
    if (s == "accept") return action::accept;
    if (s == "drop") return action::drop;
    if (s == "reject") return action::reject;
    return std::nullopt;
  }

  void set_protocol(rule& r, std::uint8_t p, const token& t) const {
    if (r.protocol && *r.protocol != p) fail(t, "this rule already matches another protocol");
    r.protocol = p;
  }

  chain read_chain(const std::string& name) {
    chain c{name, action::accept, {}};
    std::size_t opened = tokens_[pos_ - 1].line;
    if (peek() == "policy") {
      next();
      auto& t = next();
      auto a = action_named(t.text);
      if (!a || *a == action::reject) fail(t, "a chain's policy is accept or drop, not \"" + t.text + "\"");
      c.policy = *a;
    }
    expect("{");
    expect("\n");
    for (;;) {
      if (pos_ + 1 >= tokens_.size()) throw rules_error(opened, "chain " + name + " has no closing }");
      if (peek() == "\n") {
        next();
        continue;
      }
      if (peek() == "}") {
        next();
        return c;
      }
      c.rules.push_back(read_rule(name));
    }
  }

  rule read_rule(const std::string& chain_name) {
    rule r;
    r.line = tokens_[pos_].line;
    for (;;) {
      auto& t = next();
      if (t.text == "\n") fail(t, "a rule ends with its verdict: accept, drop or reject");
      r.text += (r.text.empty() ? "" : " ") + t.text;
      if (auto a = action_named(t.text)) {
        r.verdict = *a;
        expect("\n");
        break;
      }
      if (t.text == "iif" || t.text == "oif") {
        auto& l = next();
        r.text += " " + l.text;
        if (t.text == "oif" && chain_name == "input") fail(t, "oif: packets on the input chain go to etherbeam, not out a link");
        (t.text == "iif" ? r.in_link : r.out_link) = link(l);
      } else if (t.text == "ip") {
        auto& field = next();
        r.text += " " + field.text;
        if (field.text == "saddr") r.source = addresses(r.source_negated);
        else if (field.text == "daddr") r.destination = addresses(r.destination_negated);
        else if (field.text == "protocol") {
          auto& p = next();
          r.text += " " + p.text;
          set_protocol(r, protocol_number(p), p);
        } else fail(field, "ip " + field.text + ": etherbeam knows ip saddr, ip daddr, ip protocol");
      } else if (t.text == "tcp" || t.text == "udp") {
        set_protocol(r, protocol_number(t), t);
        auto& field = next();
        auto& value = next();
        r.text += " " + field.text + " " + value.text;
        if (field.text == "dport") r.destination_port = ports(value);
        else if (field.text == "sport") r.source_port = ports(value);
        else fail(field, t.text + " " + field.text + ": etherbeam knows " + t.text + " dport, " + t.text + " sport");
      } else if (t.text == "icmp") {
        set_protocol(r, ip_protocol::icmp, t);
        auto& field = next();
        auto& value = next();
        r.text += " " + field.text + " " + value.text;
        if (field.text != "type") fail(field, "icmp " + field.text + ": etherbeam knows icmp type");
        auto it = icmp_types.find(value.text);
        r.icmp_type = it != icmp_types.end() ? it->second
                                             : static_cast<std::uint8_t>(number(value, 255, "ICMP type (a name like echo-request, or a number)"));
      } else if (t.text == "ct") {
        auto& field = next();
        if (field.text != "state") fail(field, "ct " + field.text + ": etherbeam knows ct state");
        r.text += " state";
        for (;;) {
          auto& s = next();
          r.text += (r.text.back() == ',' ? "" : " ") + s.text;
          if (s.text == "new") r.states |= 1u << unsigned(connection_state::new_flow);
          else if (s.text == "established") r.states |= 1u << unsigned(connection_state::established);
          else if (s.text == "related") r.states |= 1u << unsigned(connection_state::related);
          else if (s.text == "invalid") r.states |= 1u << unsigned(connection_state::invalid);
          else fail(s, "\"" + s.text + "\" is not a connection state (new, established, related, invalid)");
          if (peek() != ",") break;
          next();
          r.text += ",";
        }
      } else if (t.text == "counter") {
        if (peek() != "\n" && !action_named(peek())) {
          auto& n = next();
          r.text += " " + n.text;
          r.name = n.text;
        }
      } else {
        fail(t, "unknown word \"" + t.text +
                  "\" (a rule is made of: iif, oif, ip saddr, ip daddr, ip protocol, tcp dport/sport, udp "
                  "dport/sport, icmp type, ct state, counter NAME, then accept, drop or reject)");
      }
    }
    if (r.name.empty()) r.name = chain_name + "." + std::to_string(r.line);
    for (const auto& other : names_)
      if (other == r.name) throw rules_error(r.line, "two rules count under the name " + r.name);
    names_.push_back(r.name);
    return r;
  }

  void read_nat(std::vector<nat_rule>& out) {
    std::size_t opened = tokens_[pos_ - 1].line;
    for (;;) {
      if (pos_ + 1 >= tokens_.size()) throw rules_error(opened, "nat has no closing }");
      if (peek() == "\n") {
        next();
        continue;
      }
      if (peek() == "}") {
        next();
        return;
      }
      nat_rule n;
      n.line = tokens_[pos_].line;
      auto& direction = next();
      if (direction.text != "oif" && direction.text != "iif")
        fail(direction, "a NAT rule is \"oif LINK masquerade\" or \"iif LINK tcp|udp dport PORTS dnat to ADDRESS[:PORT]\"");
      n.link = link(next());
      if (direction.text == "oif") {
        expect("masquerade");
        n.what = nat_rule::kind::masquerade;
      } else {
        auto& p = next();
        if (p.text != "tcp" && p.text != "udp") fail(p, "a port forward names its protocol: tcp or udp");
        n.protocol = protocol_number(p);
        expect("dport");
        n.ports = ports(next());
        expect("dnat");
        expect("to");
        auto& to = next();
        auto colon = to.text.find(':');
        token address{to.text.substr(0, colon), to.line};
        auto a = prefix(address);
        if (a.length != 32) fail(to, "dnat to one address, not a prefix");
        n.to = a.network;
        if (colon != std::string::npos)
          n.to_port = static_cast<std::uint16_t>(number(token{to.text.substr(colon + 1), to.line}, 65535, "port"));
        if (n.to_port && n.ports.low != n.ports.high) fail(to, "a range of ports forwards to the same ports: leave out :PORT");
        n.what = nat_rule::kind::port_forward;
      }
      expect("\n");
      out.push_back(n);
    }
  }

  std::vector<token> tokens_;
  std::size_t pos_ = 0;
  const std::vector<std::string>& links_;
  const std::vector<actors::link_group>& groups_;
  std::map<std::string, address_set, std::less<>> sets_;
  std::vector<std::string> names_;
};

} // namespace

std::shared_ptr<const rule_set> parse_rules(std::string_view text, const std::vector<std::string>& links,
                                            const std::vector<actors::link_group>& groups) {
  return parser(text, links, groups).run();
}

} // namespace etherbeam::apps::firewall
