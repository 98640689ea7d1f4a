// ebgen: etherbeam's traffic generator for the lab. Sends ICMP echo or ARP
// requests from one interface to one target and reports what came back:
//   flood: as fast as a window of requests in flight allows (batched sends),
//          for the target's replies per second at saturation;
//   paced: at a fixed rate, each request timestamped, for latency
//          percentiles, loss and the achieved rate;
//   blast: open loop, at --rate or (rate 0) as fast as sendmmsg goes, nothing
//          awaited: with --proto udp, 64-byte UDP frames for a router to
//          forward (what arrives is counted on the far side, not here).
// Needs CAP_NET_RAW (AF_PACKET). Sends only on the interface it is given.
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "bench/trafgen/probe_frames.hpp"
#include "ipc/socket_pair.hpp"

using namespace etherbeam;
using namespace etherbeam::bench;

namespace {

constexpr std::size_t frame_room = 128;

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(
    std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count());
}

struct options {
  std::string iface, target, source, target_mac, proto = "icmp", mode = "paced";
  double rate = 1000, duration = 5;
  unsigned window = 256, batch = 32, flows = 1;
  bool json = false;
};

ipc::unique_fd open_packet_socket(const std::string& iface, int& ifindex) {
  ipc::unique_fd fd{::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL))};
  if (!fd) throw std::runtime_error(std::string("AF_PACKET socket: ") + std::strerror(errno) +
                                    " (ebgen needs CAP_NET_RAW)");
  ifindex = static_cast<int>(::if_nametoindex(iface.c_str()));
  if (!ifindex) throw std::runtime_error("no interface named " + iface);
  sockaddr_ll at{};
  at.sll_family = AF_PACKET;
  at.sll_protocol = htons(ETH_P_ALL);
  at.sll_ifindex = ifindex;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&at), sizeof at) != 0)
    throw std::runtime_error("binding to " + iface + ": " + std::strerror(errno));
  int one = 1, buffer = 8 << 20;
  ::setsockopt(fd.get(), SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one); // not our own sends
  ::setsockopt(fd.get(), SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
  timeval tick{0, 50'000}; // the receiver looks at its stop flag this often
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
  return fd;
}

protocols::mac_address interface_mac(const std::string& iface) {
  std::ifstream f("/sys/class/net/" + iface + "/address");
  std::string text;
  f >> text;
  auto mac = protocols::mac_address::from_string(text);
  if (!mac) throw std::runtime_error("cannot read the MAC of " + iface);
  return *mac;
}

// What came back, filled by the receiver thread.
struct tally {
  std::atomic<std::uint64_t> received{0};
  std::mutex lock; // guards the two below
  std::vector<std::uint32_t> latencies_us;
  std::deque<std::uint64_t> arp_sent_ns; // ARP replies carry nothing of ours: first in, first out
};

void receive(int fd, const probe_endpoints& e, bool arp, tally& t, const std::atomic<bool>& stop) {
  constexpr unsigned batch = 64;
  std::vector<std::array<std::uint8_t, 2048>> buffers(batch);
  std::vector<mmsghdr> messages(batch);
  std::vector<iovec> vectors(batch);
  std::vector<std::uint32_t> local;
  while (!stop.load(std::memory_order_relaxed)) {
    for (unsigned i = 0; i < batch; ++i) {
      vectors[i] = {buffers[i].data(), buffers[i].size()};
      messages[i] = {};
      messages[i].msg_hdr.msg_iov = &vectors[i];
      messages[i].msg_hdr.msg_iovlen = 1;
    }
    int n = ::recvmmsg(fd, messages.data(), batch, MSG_WAITFORONE, nullptr);
    if (n <= 0) continue;
    auto now = now_ns();
    local.clear();
    std::uint64_t matched = 0;
    for (int i = 0; i < n; ++i) {
      protocols::byte_view frame{buffers[i].data(), messages[i].msg_len};
      if (arp) {
        if (is_arp_reply(e, frame)) ++matched;
      } else if (auto answer = parse_echo_reply(e, frame)) {
        ++matched;
        local.push_back(static_cast<std::uint32_t>((now - answer->sent_ns) / 1000));
      }
    }
    if (!matched) continue;
    std::lock_guard guard(t.lock);
    if (arp)
      for (std::uint64_t k = 0; k < matched && !t.arp_sent_ns.empty(); ++k) {
        local.push_back(static_cast<std::uint32_t>((now - t.arp_sent_ns.front()) / 1000));
        t.arp_sent_ns.pop_front();
      }
    t.latencies_us.insert(t.latencies_us.end(), local.begin(), local.end());
    t.received += matched;
  }
}

// Learns the target's MAC with ARP, as a host would before its first echo.
protocols::mac_address resolve(int fd, const probe_endpoints& e) {
  std::array<std::uint8_t, frame_room> frame{};
  auto len = emit_arp_request(e, frame);
  std::array<std::uint8_t, 2048> in{};
  for (int attempt = 0; attempt < 20; ++attempt) {
    ::send(fd, frame.data(), len, 0);
    auto deadline = now_ns() + 100'000'000;
    while (now_ns() < deadline) {
      auto n = ::recv(fd, in.data(), in.size(), 0);
      if (n <= 0) continue;
      if (auto mac = arp_reply_mac(e, {in.data(), static_cast<std::size_t>(n)})) return *mac;
    }
  }
  throw std::runtime_error("no ARP reply from " + e.target_ip.to_string() + " within 2 s");
}

double percentile(std::vector<std::uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

} // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"ebgen: ICMP echo and ARP request floods and paced probes for the etherbeam lab"};
  app.add_option("-i,--iface", o.iface, "Interface to send on")->required();
  app.add_option("-t,--target", o.target, "Target IPv4 address")->required();
  app.add_option("-s,--source", o.source, "Our IPv4 address on that link")->required();
  app.add_option("--target-mac", o.target_mac, "Target MAC [default: learned with ARP]");
  app.add_option("--proto", o.proto, "icmp, arp or udp (64-byte frames to port 9; blast only) [default: icmp]")
    ->check(CLI::IsMember({"icmp", "arp", "udp"}));
  app.add_option("--mode", o.mode, "flood, paced or blast [default: paced]")
    ->check(CLI::IsMember({"flood", "paced", "blast"}));
  app.add_option("-r,--rate", o.rate, "paced, blast: frames per second, 0 in blast: no limit [default: 1000]");
  app.add_option("-d,--duration", o.duration, "Seconds to send [default: 5]");
  app.add_option("-w,--window", o.window, "flood: requests in flight at most [default: 256]");
  app.add_option("-b,--batch", o.batch, "Frames per sendmmsg [default: 32]");
  app.add_option("--flows", o.flows, "icmp, udp: spread the frames over this many echo identifiers or UDP "
                                     "source ports (flows for a stateful firewall) [default: 1]")->check(CLI::Range(1, 65535));
  app.add_flag("--json", o.json, "One JSON object instead of text");
  CLI11_PARSE(app, argc, argv);
  if ((o.proto == "udp") != (o.mode == "blast")) {
    std::cerr << "ebgen: --proto udp goes with --mode blast and only with it (UDP to port 9 gets no answer "
                 "to wait for)\n";
    return 2;
  }

  try {
    int ifindex = 0;
    auto fd = open_packet_socket(o.iface, ifindex);
    probe_endpoints e;
    e.source_mac = interface_mac(o.iface);
    auto source = protocols::ipv4_address::from_string(o.source);
    auto target = protocols::ipv4_address::from_string(o.target);
    if (!source || !target) throw std::runtime_error("--source and --target must be IPv4 addresses");
    e.source_ip = *source;
    e.target_ip = *target;
    e.echo_identifier = static_cast<std::uint16_t>(::getpid());
    e.echo_identifiers = static_cast<std::uint16_t>(o.flows);
    if (!o.target_mac.empty()) {
      auto mac = protocols::mac_address::from_string(o.target_mac);
      if (!mac) throw std::runtime_error("--target-mac: not a MAC address");
      e.target_mac = *mac;
    } else {
      e.target_mac = resolve(fd.get(), e);
    }
    bool arp = o.proto == "arp", udp = o.proto == "udp";
    bool flood = o.mode == "flood", blast = o.mode == "blast";

    tally t;
    if (!blast) t.latencies_us.reserve(flood ? 1 << 20 : static_cast<std::size_t>(o.rate * o.duration) + 1024);
    std::atomic<bool> stop{false};
    std::thread receiver;
    if (!blast) receiver = std::thread(receive, fd.get(), std::cref(e), arp, std::ref(t), std::cref(stop));

    // Paced sends sleep to the nanosecond (the default 50 us timer slack
    // would have them wake late, or spin to be on time).
    if (!flood) ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    std::vector<std::array<std::uint8_t, frame_room>> frames(o.batch);
    std::vector<mmsghdr> messages(o.batch);
    std::vector<iovec> vectors(o.batch);
    std::uint64_t sent = 0, written_off = 0;
    auto start = now_ns();
    auto end = start + static_cast<std::uint64_t>(o.duration * 1e9);
    auto last_progress = start;
    std::uint64_t last_received = 0;
    for (auto now = start; now < end; now = now_ns()) {
      std::uint64_t want;
      if (flood) {
        auto received = t.received.load(std::memory_order_relaxed);
        if (received != last_received) last_received = received, last_progress = now;
        // Lost requests never come back: after 20 ms without a reply, write off what is in flight.
        if (now - last_progress > 20'000'000) written_off = sent - received, last_progress = now;
        auto in_flight = sent - received - written_off;
        want = in_flight < o.window ? o.window - in_flight : 0;
        if (!want) {
          std::this_thread::yield();
          continue;
        }
      } else if (blast && o.rate <= 0) {
        want = o.batch;
      } else {
        // A blast goes out in bursts of --batch, sleeping until the next one
        // is due, never spinning: a generator spinning between frames or
        // bursts would take a core from the router it measures on a small
        // machine (it did: half of one, at 400k frames/s).
        std::uint64_t burst = blast ? o.batch : 1;
        auto due = static_cast<std::uint64_t>(static_cast<double>(now - start) * o.rate / 1e9) + 1;
        if (due < sent + burst) {
          auto next = start + static_cast<std::uint64_t>(static_cast<double>(sent + burst - 1) * 1e9 / o.rate);
          timespec at{static_cast<time_t>(next / 1'000'000'000), static_cast<long>(next % 1'000'000'000)};
          ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr); // steady_clock is CLOCK_MONOTONIC
          continue;
        }
        want = due - sent;
      }
      auto n = static_cast<unsigned>(std::min<std::uint64_t>(want, o.batch));
      for (unsigned i = 0; i < n; ++i) {
        auto len = arp   ? emit_arp_request(e, frames[i])
                   : udp ? emit_udp_datagram(e, sent + i, frames[i])
                         : emit_echo_request(e, sent + i, now_ns(), frames[i]);
        vectors[i] = {frames[i].data(), len};
        messages[i] = {};
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
      }
      if (arp) {
        std::lock_guard guard(t.lock);
        for (unsigned i = 0; i < n; ++i) t.arp_sent_ns.push_back(now);
      }
      int done = ::sendmmsg(fd.get(), messages.data(), n, 0);
      if (done > 0) sent += static_cast<unsigned>(done);
    }
    auto stopped_sending = now_ns();
    if (!blast) {
      std::this_thread::sleep_for(std::chrono::milliseconds(300)); // the last replies
      stop = true;
      receiver.join();
    }

    double seconds = static_cast<double>(stopped_sending - start) / 1e9;
    std::uint64_t received = t.received;
    auto& lat = t.latencies_us;
    std::sort(lat.begin(), lat.end());
    nlohmann::json r = {{"proto", o.proto}, {"mode", o.mode}, {"target", o.target},
                        {"seconds", seconds}, {"sent", sent}, {"received", received},
                        {"loss_percent", sent ? 100.0 * static_cast<double>(sent - std::min(sent, received)) /
                                                  static_cast<double>(sent) : 0.0},
                        {"sent_per_s", static_cast<double>(sent) / seconds},
                        {"replies_per_s", static_cast<double>(received) / seconds},
                        {"p50_us", percentile(lat, 50)}, {"p99_us", percentile(lat, 99)},
                        {"p999_us", percentile(lat, 99.9)}, {"max_us", lat.empty() ? 0 : lat.back()}};
    if (blast) r = {{"proto", o.proto}, {"mode", o.mode}, {"target", o.target}, {"seconds", seconds},
                    {"sent", sent}, {"sent_per_s", static_cast<double>(sent) / seconds}, {"rate", o.rate}};
    else if (!flood) r["rate"] = o.rate;
    else r["window"] = o.window;
    if (o.json) {
      std::cout << r.dump() << "\n";
    } else if (blast) {
      std::printf("blast %s -> %s: sent %llu (%.0f/s)\n", o.proto.c_str(), o.target.c_str(),
                  static_cast<unsigned long long>(sent), r["sent_per_s"].get<double>());
    } else {
      std::printf("%s %s -> %s: sent %llu (%.0f/s), received %llu (%.0f/s), loss %.3f%%; latency p50 %.0f us, "
                  "p99 %.0f us, p99.9 %.0f us\n", o.mode.c_str(), o.proto.c_str(), o.target.c_str(),
                  static_cast<unsigned long long>(sent), r["sent_per_s"].get<double>(),
                  static_cast<unsigned long long>(received), r["replies_per_s"].get<double>(),
                  r["loss_percent"].get<double>(), r["p50_us"].get<double>(), r["p99_us"].get<double>(),
                  r["p999_us"].get<double>());
    }
  } catch (const std::exception& x) {
    std::cerr << "ebgen: " << x.what() << "\n";
    return 1;
  }
  return 0;
}
