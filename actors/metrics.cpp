#include "actors/metrics.hpp"

#include <map>
#include <sstream>
#include <vector>

namespace etherbeam::actors {

namespace {

using labels = std::vector<std::pair<std::string, std::string>>;

struct family {
  std::string type; // counter, gauge, histogram
  std::string help;
  std::vector<std::string> samples; // whole lines
};

struct metric_name {
  std::string family;
  labels tags;
};

std::vector<std::string> split(std::string_view name) {
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    auto dot = name.find('.', start);
    parts.emplace_back(name.substr(start, dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

// Metric names take [a-zA-Z0-9_] only.
std::string sanitized(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  return out;
}

std::string joined(const std::vector<std::string>& parts, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < parts.size(); ++i) out += (out.empty() ? "" : ".") + parts[i];
  return out;
}

// The family and labels of a counter; a name no rule knows keeps its words.
metric_name metric_of(std::string_view name) {
  auto p = split(name);
  auto first = p[0];
  if (first == "reply" && p.size() > 1) return {"etherbeam_replies_total", {{"kind", joined(p, 1)}}};
  if (first == "ignored" && p.size() > 1) return {"etherbeam_frames_ignored_total", {{"reason", joined(p, 1)}}};
  if (first == "malformed" && p.size() > 2)
    return {"etherbeam_frames_malformed_total", {{"layer", p[1]}, {"reason", joined(p, 2)}}};
  if (first == "overload" && p.size() > 1) return {"etherbeam_overload_dropped_total", {{"what", joined(p, 1)}}};
  if (first == "link" && p.size() > 2) return {"etherbeam_link_" + sanitized(joined(p, 2)) + "_total", {{"link", p[1]}}};
  if (first == "dhcp" && p.size() == 3 && p[1] == "in")
    return {"etherbeam_dhcp4_packets_received_total", {{"operation", p[2]}}};
  if (first == "dhcp" && p.size() == 3 && p[1] == "out")
    return {"etherbeam_dhcp4_packets_sent_total", {{"operation", p[2]}}};
  // "dhcp.subnet.10.77.0.0/24.assigned": the subnet has dots of its own.
  if (name.starts_with("dhcp.subnet.") && name.rfind('.') > 12) {
    auto last = name.rfind('.');
    auto what = name.substr(last + 1);
    return {what == "total" ? "etherbeam_dhcp4_addresses" : "etherbeam_dhcp4_addresses_" + sanitized(what),
            {{"subnet", std::string(name.substr(12, last - 12))}}};
  }
  return {"etherbeam_" + sanitized(joined(p, 0)) + "_total", {}};
}

std::string escaped(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string sample(const std::string& name, const labels& tags, std::uint64_t value) {
  std::ostringstream line;
  line << name;
  if (!tags.empty()) {
    line << '{';
    for (std::size_t i = 0; i < tags.size(); ++i)
      line << (i ? "," : "") << tags[i].first << "=\"" << escaped(tags[i].second) << '"';
    line << '}';
  }
  line << ' ' << value;
  return line.str();
}

std::string help_of(const std::string& family) {
  static const std::map<std::string, std::string> known{
    {"etherbeam_replies_total", "Frames etherbeam answered, by kind of reply"},
    {"etherbeam_frames_ignored_total", "Frames etherbeam left unanswered on purpose, by reason"},
    {"etherbeam_frames_malformed_total", "Frames refused as malformed, by layer and reason"},
    {"etherbeam_overload_dropped_total", "Work dropped at an admission bound under overload"},
    {"etherbeam_dhcp4_packets_received_total", "DHCPv4 messages received, by message type"},
    {"etherbeam_dhcp4_packets_sent_total", "DHCPv4 messages sent, by message type"},
    {"etherbeam_dhcp4_addresses", "Addresses in the subnet's pools"},
    {"etherbeam_dhcp4_addresses_assigned", "Addresses leased now (bound and not expired)"},
    {"etherbeam_dhcp4_addresses_declined", "Addresses held back after a DECLINE now"},
    {"etherbeam_frames_in_flight", "Frames being decided now"},
    {"etherbeam_memory_returned_bytes_total", "Freed heap memory given back to the system after bursts (malloc_trim)"},
    {"etherbeam_journal_commit_seconds", "Time to make a batch of lease changes durable (write and fdatasync)"},
  };
  auto it = known.find(family);
  return it != known.end() ? it->second : "etherbeam counter " + family;
}

} // namespace

std::string prometheus_exposition(const stack_counters& c) {
  std::map<std::string, family> families;
  auto add = [&](const std::string& name, const std::string& type, const labels& tags, std::uint64_t value) {
    auto& f = families[name];
    f.type = type;
    f.samples.push_back(sample(name, tags, value));
  };
  c.for_each_field([&](std::string_view name, const counter& v) {
    auto m = metric_of(name);
    add(m.family, "counter", m.tags, v.load());
  });
  add("etherbeam_frames_in_flight", "gauge", {}, static_cast<std::uint64_t>(std::max<std::int64_t>(0, c.frames_in_flight.load())));
  c.named.for_each(
    [&](const named_counter& n) {
      auto m = metric_of(n.name);
      if (n.gauge) {
        if (m.family.ends_with("_total")) m.family.resize(m.family.size() - 6);
        add(m.family, "gauge", m.tags, n.value.load());
      } else if (n.shown) {
        add(m.family, "counter", m.tags, n.value.load());
      }
    },
    [&](std::string_view name, std::uint64_t value) {
      auto m = metric_of(name);
      add(m.family, "counter", m.tags, value);
    },
    [&](const histogram& h) {
      // Observed in microseconds, exposed in seconds as Prometheus prefers.
      auto name = "etherbeam_" + sanitized(h.name) + "_seconds";
      auto& f = families[name];
      f.type = "histogram";
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i <= h.bounds.size(); ++i) {
        cumulative += h.buckets[i].load();
        std::ostringstream le;
        if (i < h.bounds.size()) le << static_cast<double>(h.bounds[i]) / 1e6;
        else le << "+Inf";
        f.samples.push_back(sample(name + "_bucket", {{"le", le.str()}}, cumulative));
      }
      std::ostringstream sum;
      sum << name << "_sum " << static_cast<double>(h.sum.load()) / 1e6;
      f.samples.push_back(sum.str());
      f.samples.push_back(sample(name + "_count", {}, h.count.load()));
    });
  std::ostringstream out;
  for (auto& [name, f] : families) {
    out << "# HELP " << name << ' ' << help_of(name) << "\n# TYPE " << name << ' ' << f.type << '\n';
    for (const auto& s : f.samples) out << s << '\n';
  }
  return out.str();
}

} // namespace etherbeam::actors
