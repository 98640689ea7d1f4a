#include "apps/firewall/packet_trace.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

using namespace etherbeam::apps::firewall;

namespace {

packet_facts echo_to(const char* address) {
  packet_facts f;
  f.flow.protocol = etherbeam::protocols::ip_protocol::icmp;
  f.flow.destination = *etherbeam::protocols::ipv4_address::from_string(address);
  return f;
}

// Adds a line to `buffer` once it is armed, as a firewall judging a packet would.
std::thread judge_when_armed(trace_buffer& buffer, std::string line) {
  return std::thread([&buffer, line] {
    auto f = echo_to("10.77.0.3");
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!buffer.wanted(f))
      if (std::chrono::steady_clock::now() > until) return; // never armed: the trace finds nothing
    buffer.add(line);
  });
}

} // namespace

TEST(trace_buffers, one_trace_watches_every_firewall_and_names_each_when_several_run) {
  auto& desk = trace_buffers::of_process();
  auto bridge = desk.open("bridge");
  auto router = desk.open("router");
  auto a = judge_when_armed(*bridge, "b 10.77.0.3 icmp crossing");
  auto b = judge_when_armed(*router, "b 10.77.0.3 icmp routed");
  auto out = desk.run("2 10 icmp host 10.77.0.3");
  a.join();
  b.join();
  // In the order judged, which the two threads race for (the next test orders them).
  auto crossing = "bridge: b 10.77.0.3 icmp crossing\n", routed = "router: b 10.77.0.3 icmp routed\n";
  EXPECT_TRUE(out == std::string(crossing) + routed || out == std::string(routed) + crossing) << out;
}

TEST(trace_buffers, shows_the_first_packets_judged_whichever_firewall_judged_them) {
  auto& desk = trace_buffers::of_process();
  auto bridge = desk.open("bridge");
  auto router = desk.open("router");
  auto t = std::thread([&] {
    auto f = echo_to("10.77.0.3");
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!(bridge->wanted(f) && router->wanted(f)))
      if (std::chrono::steady_clock::now() > until) return;
    bridge->add("1");
    router->add("2");
    bridge->add("3");
    bridge->add("4");
  });
  auto out = desk.run("3 10 icmp");
  t.join();
  EXPECT_EQ(out.substr(0, out.find("bridge: 4")), "bridge: 1\nrouter: 2\nbridge: 3\n");
}

TEST(trace_buffers, a_single_firewall_traces_unprefixed_and_a_closed_one_is_not_watched) {
  auto& desk = trace_buffers::of_process();
  desk.open("bridge"); // let go at once: closed
  auto router = desk.open("router");
  auto t = judge_when_armed(*router, "a 10.77.0.3 icmp");
  EXPECT_EQ(desk.run("1 10 host 10.77.0.3"), "a 10.77.0.3 icmp\n");
  t.join();
}

TEST(trace_buffers, a_filter_it_does_not_know_is_named) {
  auto router = trace_buffers::of_process().open("router");
  EXPECT_EQ(trace_buffers::of_process().run("1 1 sctp"),
            "error: trace: unknown filter word \"sctp\" (tcp, udp, icmp, host ADDRESS, port PORT)");
}
