#pragma once
// `etherbeam trace`, as nft monitor trace: for the next packets a filter
// judges that match a request, each rule they met and the verdict. Shared
// by the applications that run a firewall (the router, the bridge).
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "apps/firewall/flow_judge.hpp"

namespace etherbeam::apps::firewall {

// What `etherbeam trace` asked to see: packets of this protocol (0: any) to
// or from this address (unspecified: any) and port (0: any).
struct trace_request {
  std::uint8_t protocol = 0;
  protocols::ipv4_address host;
  std::uint16_t port = 0;
};

// Traces waiting for `etherbeam trace` to collect them: bounded (a trace
// nobody reads costs nothing but the lines it keeps).
class trace_buffer {
public:
  void arm(trace_request r, std::size_t packets); // and forgets what an earlier trace left
  void disarm() { remaining_.store(0); }
  bool wanted(const packet_facts& f) const;
  void add(std::string text);
  // The lines, each with its place among every buffer's lines (the order
  // the packets were judged in, whichever firewall judged them).
  std::vector<std::pair<std::uint64_t, std::string>> take();
  std::size_t collected() const;

private:
  mutable std::mutex lock_;
  trace_request request_;
  std::atomic<std::size_t> remaining_{0};
  std::vector<std::pair<std::uint64_t, std::string>> lines_;
};

// Collects, into `met`, one line per rule a packet meets.
filter_trace collecting_into(std::vector<std::string>& met);

// One packet's trace: where it came in and went ("" for no out link), the
// rules it met, the verdict and any NAT.
std::string describe_trace(const std::string& in_link, const packet_facts& facts, const filter_decision& d,
                           const std::string& out_link, const std::vector<std::string>& met);

// The trace buffers of every firewall this process runs, each under its
// application's name, so that one `etherbeam trace` watches them all: in a
// home router the bridge judges what crosses between LAN ports and the
// router what it routes, and a user tracing a host wants both.
class trace_buffers {
public:
  static trace_buffers& of_process();
  // A buffer for `owner`'s firewall, watched while the caller holds it.
  std::shared_ptr<trace_buffer> open(std::string owner);
  // Runs `etherbeam trace`'s request, "COUNT SECONDS [tcp|udp|icmp] [host
  // ADDRESS] [port PORT]": arms every open buffer, waits (on the caller's
  // thread) for COUNT packets among them or SECONDS, and returns their
  // lines (each packet's first prefixed "OWNER: " when several firewalls
  // run), or an error line.
  std::string run(std::string_view arguments);

private:
  std::mutex lock_;
  std::vector<std::pair<std::string, std::weak_ptr<trace_buffer>>> open_;
};

} // namespace etherbeam::apps::firewall
