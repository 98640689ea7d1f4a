// Ingress's intake under CAF's deterministic test coordinator: datagrams read
// from a real socket (credentials and all) are counted, admitted or refused,
// and decided by the concurrency model; replies reach the link's sender.
#define CAF_SUITE frame_intake
#include <caf/test/dsl.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include "actors/frame_intake.hpp"
#include "actors/registered_name.hpp"
#include "apps/host/host_responders.hpp"
#include "ipc/datagram_batch.hpp"
#include "ipc/sender_credentials.hpp"
#include "tests/unit/actors/binder_stand_in.hpp"
#include "protocols/ipv4_reassembly.hpp"
#include "tests/unit/frame_bytes.hpp"
#include "tests/unit/pcap_frames.hpp"

using namespace etherbeam;
using namespace etherbeam::actors;

namespace {

struct intake_fixture : test_coordinator_fixture<> {
  std::shared_ptr<stack_counters> counters = std::make_shared<stack_counters>();
  ingress_settings settings;
  int pair[2] = {-1, -1}; // [0]: raw_binder's end, [1]: ingress's
  ipc::receive_batch batch{8, 2048, true};
  std::vector<frame> sent; // what reached the stand-in sender
  std::vector<caf::actor> spawned;
  test_frames::binder_stand_in binder; // where inline and the pool write replies

  intake_fixture() {
    ::socketpair(AF_UNIX, SOCK_DGRAM, 0, pair);
    ipc::pass_credentials(pair[1]);
    settings.counters = counters;
    settings.binder_socket = binder.path();
    settings.per_link = std::make_shared<link_counters>(counters->named, "lan");
    settings.dispatch =
      std::make_shared<const dispatcher>(apps::host::host_registrations(counters->named), counters->named);
    auto stand_in = sys.spawn([this](sender_actor::pointer, int) -> sender_actor::behavior_type {
      return {[this](send_frame_atom, frame& f) { sent.push_back(std::move(f)); }, [](flush_atom) {},
              [](inject_fault_atom) {}};
    }, 0); // an argument: CAF 0.17 dereferences a null tuple spawning a function without one
    spawned.push_back(caf::actor_cast<caf::actor>(stand_in));
    register_as(sys, sender_name(0), spawned.back());
    run();
  }

  ~intake_fixture() override {
    for (auto& a : spawned) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    run();
    ::close(pair[0]);
    ::close(pair[1]);
  }

  std::shared_ptr<const stack_identity> lab_identity() {
    auto me = std::make_shared<stack_identity>();
    me->addresses.push_back(*protocols::ipv4_interface::from_string("10.77.0.2/24"));
    me->mac = protocols::mac_address::from_string("ce:89:d7:ed:bc:38");
    return me;
  }

  // raw_binder's side sends these; the intake takes what one receive reads.
  void relay(frame_intake& intake, std::initializer_list<std::span<const std::uint8_t>> frames,
             std::shared_ptr<const stack_identity> me = nullptr) {
    for (auto f : frames) ::send(pair[0], f.data(), f.size(), 0);
    intake.begin_batch(me ? me : lab_identity());
    int n = batch.receive(pair[1]);
    for (int i = 0; i < n; ++i) intake.take(batch.datagram(i), batch.header(i), batch.truncated(i));
  }
};

const auto echo = std::span<const std::uint8_t>(test_frames::echo_request);
const auto arp = std::span<const std::uint8_t>(test_frames::arp_request);

} // namespace

CAF_TEST_FIXTURE_SCOPE(frame_intake_tests, intake_fixture)

CAF_TEST(per frame each admitted frame gets an actor whose reply reaches the link sender) {
  frame_intake intake{sys, settings, {}};
  relay(intake, {echo, arp});
  CAF_CHECK_EQUAL(counters->frames_in.load(), 2u);
  CAF_CHECK_EQUAL(settings.per_link->frames_in.value.load(), 2u);
  CAF_CHECK_EQUAL(counters->frames_in_flight.load(), 2);
  run(); // the two frame actors decide, and the sender gets their replies
  CAF_CHECK_EQUAL(sent.size(), 2u);
  CAF_CHECK_EQUAL(counters->frames_in_flight.load(), 0);
  CAF_CHECK_EQUAL(counters->named.value("reply.icmp_echo_reply"), 1u);
  CAF_CHECK_EQUAL(counters->named.value("reply.arp_reply"), 1u);
}

CAF_TEST(beyond the admission bound frames are read and dropped before they cost an actor) {
  settings.limits.frames_in_flight = 1;
  frame_intake intake{sys, settings, {}};
  relay(intake, {echo, echo, echo});
  CAF_CHECK_EQUAL(counters->overload_frames_dropped.load(), 2u);
  run();
  CAF_CHECK_EQUAL(sent.size(), 1u);
}

CAF_TEST(per protocol frames go round robin to the pool) {
  settings.model = concurrency_model::per_protocol;
  std::vector<caf::actor> pool{spawn_frame_worker(sys, replies_of(settings)),
                               spawn_frame_worker(sys, replies_of(settings))};
  for (auto& w : pool) spawned.push_back(w);
  run();
  frame_intake intake{sys, settings, pool};
  relay(intake, {echo, arp});
  expect((decide_frame_atom, frame, shared_frame_context), from(_).to(pool[0]));
  expect((decide_frame_atom, frame, shared_frame_context), from(_).to(pool[1]));
  run();
  CAF_CHECK_EQUAL(sent.size(), 0u); // each worker wrote its reply itself
  CAF_CHECK_EQUAL(binder.lengths(2).size(), 2u);
  CAF_CHECK_EQUAL(settings.per_link->replies_sent.value.load(), 2u);
}

CAF_TEST(inline ingress decides in place and writes the replies of a batch with the batch) {
  settings.model = concurrency_model::inline_;
  frame_intake intake{sys, settings, {}};
  relay(intake, {echo, arp, echo});
  CAF_CHECK_EQUAL(counters->frames_in_flight.load(), 0);
  CAF_CHECK_EQUAL(binder.lengths(3, std::chrono::milliseconds(50)).size(), 0u);
  intake.end_batch();
  CAF_CHECK_EQUAL(binder.lengths(3).size(), 3u);
  CAF_CHECK_EQUAL(sent.size(), 0u);
  CAF_CHECK_EQUAL(counters->replies_sent.load(), 3u);
}

CAF_TEST(a datagram cut short is counted as oversize and goes no further) {
  frame_intake intake{sys, settings, {}};
  intake.begin_batch(lab_identity());
  msghdr none{};
  intake.take(echo, none, true);
  CAF_CHECK_EQUAL(counters->oversize_frames.load(), 1u);
  CAF_CHECK_EQUAL(counters->frames_in_flight.load(), 0);
}

// tests/data/lab_fragments.pcap: the three fragments of `ping -s 3000` to
// 10.77.0.3. One decision for the whole datagram; its 3,036-byte reply leaves
// as three fragments no longer than the link's MTU of 1500.
CAF_TEST(fragments for us are put together and the long reply leaves in fragments) {
  auto fragments = test_frames::pcap_frames("lab_fragments.pcap");
  auto me = std::make_shared<stack_identity>();
  me->addresses.push_back(*protocols::ipv4_interface::from_string("10.77.0.3/24"));
  me->mac = protocols::mac_address::read(fragments[0], 0);
  frame_intake intake{sys, settings, {}};
  relay(intake, {fragments[0], fragments[2], fragments[1]}, me);
  CAF_CHECK_EQUAL(counters->named.value("fragments.received"), 3u);
  CAF_CHECK_EQUAL(counters->named.value("fragments.reassembled"), 1u);
  CAF_CHECK_EQUAL(counters->frames_in_flight.load(), 1);
  run();
  CAF_CHECK_EQUAL(counters->named.value("reply.icmp_echo_reply"), 1u);
  CAF_CHECK_EQUAL(counters->replies_fragmented.load(), 1u);
  CAF_REQUIRE_EQUAL(sent.size(), 3u);
  protocols::ipv4_reassembly back;
  auto outcome = protocols::ipv4_reassembly::outcome::held;
  for (auto& f : sent) {
    CAF_CHECK_LESS_OR_EQUAL(f.size(), 14u + 1500u);
    outcome = back.add(f.bytes().first(14), *protocols::ipv4_packet::check(f.bytes().subspan(14)), {});
  }
  CAF_REQUIRE(outcome == protocols::ipv4_reassembly::outcome::completed);
  auto reply = protocols::ipv4_packet::check(std::span(back.whole_frame()).subspan(14));
  CAF_REQUIRE(reply);
  CAF_CHECK_EQUAL(reply->total_len(), 20u + 8u + 3000u);
  CAF_CHECK_EQUAL(reply->destination().to_string(), "10.77.0.1");
}

CAF_TEST(fragments for another host are not held) {
  auto fragments = test_frames::pcap_frames("lab_fragments.pcap");
  frame_intake intake{sys, settings, {}};
  relay(intake, {fragments[0]}); // to 10.77.0.3, and this identity is 10.77.0.2
  CAF_CHECK_EQUAL(counters->named.value("fragments.received"), 0u);
  CAF_CHECK_EQUAL(counters->frames_in_flight.load(), 1);
  run();
}

CAF_TEST_FIXTURE_SCOPE_END()
