// The DHCP application's actors under CAF's deterministic test coordinator
// (caf/test/dsl.hpp): one message at a time, in the order the mailboxes hold
// them, no threads and no timeouts. Runs without root: the lease journal is
// a file in a temporary directory.
#define CAF_SUITE dhcp_actors
#include <caf/test/dsl.hpp>
#include <caf/test/unit_test_impl.hpp>

#include <unistd.h>

#include <filesystem>

#include "actors/link.hpp"
#include "actors/registered_name.hpp"
#include "apps/dhcp/dhcp_actor.hpp"
#include "apps/dhcp/dhcp_reply.hpp"
#include "apps/dhcp/lease_journal.hpp"
#include "apps/dhcp/lease_manager.hpp"
#include "protocols/ipv4.hpp"
#include "protocols/udp.hpp"
#include "tests/unit/test_values.hpp"

using namespace etherbeam;
using namespace etherbeam::apps::dhcp;
using protocols::ipv4_address;
using protocols::mac_address;

namespace {

using etherbeam::testing::ip;
const mac_address server_mac{{0x02, 0xeb, 0, 0, 0, 3}};

// A client's REQUEST in SELECTING state (RFC 2131 §4.3.2), for `address`.
dhcp_inbound request_from(std::uint8_t client, const char* address) {
  dhcp_inbound in;
  in.message.op = protocols::bootp_op::request;
  in.message.message_type = protocols::dhcp_message_type::request;
  in.message.transaction_id = 0x1000 + client;
  in.message.client_hardware = mac_address{{0x02, 0, 0, 0, 0, client}};
  in.message.requested_address = ip(address);
  in.message.server_identifier = ip("10.77.0.3");
  in.ethernet.source = in.message.client_hardware;
  in.ethernet.destination = mac_address{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
  in.server_mac = server_mac;
  in.local_address = ip("10.77.0.3");
  return in;
}

struct fixture : test_coordinator_fixture<> {
  std::filesystem::path dir;
  std::shared_ptr<actors::stack_counters> all = std::make_shared<actors::stack_counters>();
  std::shared_ptr<dhcp_counters> counters = std::make_shared<dhcp_counters>(all);
  std::shared_ptr<actors::admission_gate> backlog =
    std::make_shared<actors::admission_gate>(64, counters->overload_dropped);
  std::vector<dhcp_answer> answers; // what reached the stand-in DHCP actor
  std::vector<actors::frame> sent;  // what reached the stand-in sender
  dhcp_actor dhcp_stand_in;
  lease_manager_actor leases;

  fixture() {
    char tmpl[] = "/tmp/etherbeam-dsl-XXXXXX";
    dir = ::mkdtemp(tmpl);
    dhcp_stand_in = keep(sys.spawn([this](dhcp_actor::pointer, int) -> dhcp_actor::behavior_type {
      return {[this](dhcp_answer_atom, dhcp_answer& a) { answers.push_back(std::move(a)); },
              [](actors::inject_fault_atom) {}};
    }, 0)); // an argument: CAF 0.17 dereferences a null tuple spawning a function without one
    actors::register_as(sys, dhcp_registry_name, caf::actor_cast<caf::actor>(dhcp_stand_in));
  }

  // Every actor ends, or the system would wait for them forever: the
  // registry's names keep them alive.
  ~fixture() override {
    for (auto& a : spawned) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    run();
    std::filesystem::remove_all(dir);
  }

  template <class Handle>
  Handle keep(Handle h) {
    spawned.push_back(caf::actor_cast<caf::actor>(h));
    return h;
  }
  std::vector<caf::actor> spawned;

  void start_lease_manager(std::size_t compaction_slack = 4096) {
    dhcp_subnet subnet;
    subnet.network = *protocols::ipv4_interface::from_string("10.77.0.0/24");
    subnet.pools = {{ip("10.77.0.100"), ip("10.77.0.199")}};
    dhcp_settings settings;
    settings.subnets.push_back(subnet);
    settings.state_dir = dir;
    settings.compaction_slack = compaction_slack;
    leases = keep(spawn_lease_manager(
      sys, {settings, {*protocols::ipv4_interface::from_string("10.77.0.3/24")}, counters, backlog, false}));
    run();
  }

  // As the intake does: a place in the backlog, then the message.
  void hand(const dhcp_inbound& in) {
    CAF_REQUIRE(backlog->try_enter());
    self->send(leases, dhcp_message_atom::value, in);
  }

  lease_table journal_on_disk() {
    lease_table table;
    journal_replay report;
    lease_journal::replay(lease_journal_path(dir), table, report);
    return table;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(lease_manager_tests, fixture)

CAF_TEST(changes that arrive together are committed with one fdatasync before any ACK leaves) {
  start_lease_manager();
  hand(request_from(1, "10.77.0.101"));
  hand(request_from(2, "10.77.0.102"));
  hand(request_from(3, "10.77.0.103"));
  for (int i = 0; i < 3; ++i) expect((dhcp_message_atom, dhcp_inbound), from(self).to(leases));
  CAF_CHECK(answers.empty()); // held: their leases are not on disk yet
  CAF_CHECK_EQUAL(counters->journal_commits.value.load(), 0u);
  // The commit queued behind the three messages, so it covers all of them:
  // one batch to the journal writer, whose word back lets the ACKs go.
  expect((commit_atom), from(leases).to(leases));
  CAF_CHECK(answers.empty());
  run();
  CAF_CHECK_EQUAL(counters->journal_commits.value.load(), 1u);
  CAF_CHECK_EQUAL(counters->journal_records.value.load(), 3u);
  CAF_REQUIRE_EQUAL(answers.size(), 3u);
  for (const auto& a : answers) CAF_CHECK(a.reply.message_type == protocols::dhcp_message_type::ack);
  CAF_CHECK_EQUAL(journal_on_disk().size(), 3u);
  CAF_CHECK_EQUAL(backlog->inside(), 0);
}

CAF_TEST(a journal that grows past its slack is compacted while the lease manager serves) {
  start_lease_manager(0);
  // One client renewing again and again: a record per ACK, one lease.
  for (int i = 0; i < 6; ++i) {
    hand(request_from(7, "10.77.0.107"));
    run();
  }
  CAF_CHECK_EQUAL(answers.size(), 6u);
  CAF_CHECK_GREATER_OR_EQUAL(counters->journal_compactions.value.load(), 1u);
  auto table = journal_on_disk();
  CAF_CHECK_EQUAL(table.size(), 1u);
  CAF_CHECK(table.by_address(ip("10.77.0.107")) != nullptr);
}

CAF_TEST(a lease manager restarted on the same journal answers as the old one would) {
  start_lease_manager();
  hand(request_from(1, "10.77.0.101"));
  run();
  caf::anon_send_exit(leases, caf::exit_reason::kill);
  run();
  backlog->reset();
  start_lease_manager();
  // Another client asking for the same address is refused: the lease survived.
  hand(request_from(2, "10.77.0.101"));
  run();
  CAF_REQUIRE_EQUAL(answers.size(), 2u);
  CAF_CHECK(answers.back().reply.message_type == protocols::dhcp_message_type::nak);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(dhcp_actor_tests, fixture)

CAF_TEST(the dhcp actor frames a reply and hands it to the sender of the link it came in on) {
  auto stand_in = keep(sys.spawn([this](actors::sender_actor::pointer, int) -> actors::sender_actor::behavior_type {
    return {[this](actors::send_frame_atom, actors::frame& f) { sent.push_back(std::move(f)); },
            [](actors::flush_atom) {}, [](actors::inject_fault_atom) {}};
  }, 0));
  actors::register_as(sys, actors::sender_name(1), caf::actor_cast<caf::actor>(stand_in));
  auto dhcp = keep(spawn_dhcp_actor(sys, counters));
  run();
  auto request = request_from(9, "10.77.0.109");
  request.link = 1;
  dhcp_answer answer{request, {}, {}, ip("10.77.0.3")};
  answer.reply.op = protocols::bootp_op::reply;
  answer.reply.message_type = protocols::dhcp_message_type::ack;
  answer.reply.transaction_id = request.message.transaction_id;
  answer.reply.your_address = ip("10.77.0.109");
  answer.reply.client_hardware = request.message.client_hardware;
  answer.reply.server_identifier = ip("10.77.0.3");
  self->send(dhcp, dhcp_answer_atom::value, answer);
  expect((dhcp_answer_atom, dhcp_answer), from(self).to(dhcp));
  expect((actors::send_frame_atom, actors::frame), from(dhcp).to(stand_in));
  CAF_REQUIRE_EQUAL(sent.size(), 1u);
  CAF_CHECK_EQUAL(counters->sent[std::size_t(protocols::dhcp_message_type::ack)]->value.load(), 1u);
  // Ethernet to the client's MAC, UDP from 67 to 68 (RFC 2131 §4.1).
  auto eth = protocols::ethernet_frame::check(sent[0].bytes());
  CAF_REQUIRE(eth);
  CAF_CHECK(eth->destination() == request.message.client_hardware);
  CAF_CHECK(eth->source() == server_mac);
  auto packet = protocols::ipv4_packet::check(eth->payload());
  CAF_REQUIRE(packet);
  auto udp = protocols::udp_packet::check(packet->payload());
  CAF_REQUIRE(udp);
  CAF_CHECK_EQUAL(udp->source_port(), 67);
  CAF_CHECK_EQUAL(udp->destination_port(), 68);
}

CAF_TEST_FIXTURE_SCOPE_END()
