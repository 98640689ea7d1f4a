// The sender under CAF's deterministic test coordinator (caf/test/dsl.hpp):
// replies that wait in its mailbox together leave with one sendmmsg, and
// replies to an absent binder are counted and dropped, never waited for.
#define CAF_SUITE sender
#include <caf/test/dsl.hpp>
#include <caf/test/unit_test_impl.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "actors/sender.hpp"
#include "ipc/socket_directory.hpp"
#include "ipc/socket_pair.hpp"

using namespace etherbeam;
using namespace etherbeam::actors;

namespace {

struct fixture : test_coordinator_fixture<> {
  std::filesystem::path dir;
  std::shared_ptr<stack_counters> counters = std::make_shared<stack_counters>();
  std::shared_ptr<link_counters> per_link = std::make_shared<link_counters>(counters->named, "lan");
  std::optional<ipc::socket_directory> directory;
  ipc::unique_fd binder; // stands in for raw_binder's socket
  sender_actor sender;

  fixture() {
    char tmpl[] = "/tmp/etherbeam-sender-XXXXXX";
    dir = ::mkdtemp(tmpl);
    directory.emplace(ipc::socket_directory::open(dir, std::nullopt));
    binder = directory->bind_socket(ipc::socket_paths::binder_name, SOCK_DGRAM, {});
    sender = spawn_sender(sys, dir / ipc::socket_paths::binder_name, counters, 0, per_link);
    run();
  }

  ~fixture() override {
    caf::anon_send_exit(sender, caf::exit_reason::user_shutdown);
    run();
    std::filesystem::remove_all(dir);
  }

  frame reply_of(std::uint8_t fill, std::size_t size = 60) {
    frame f{size};
    std::fill(f.bytes().begin(), f.bytes().end(), fill);
    return f;
  }

  // Datagrams waiting at the stand-in binder, by their first byte.
  std::vector<std::uint8_t> received() {
    std::vector<std::uint8_t> firsts;
    std::uint8_t buffer[2048];
    for (;;) {
      auto n = ::recv(binder.get(), buffer, sizeof buffer, MSG_DONTWAIT);
      if (n <= 0) return firsts;
      firsts.push_back(buffer[0]);
    }
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(sender_tests, fixture)

CAF_TEST(replies that wait together leave together and in order) {
  for (std::uint8_t i = 1; i <= 3; ++i) self->send(sender, send_frame_atom::value, reply_of(i));
  for (int i = 0; i < 3; ++i) expect((send_frame_atom, frame), from(self).to(sender));
  CAF_CHECK(received().empty()); // gathered, not yet written
  // The flush it sent itself after the first reply queued behind the other two.
  expect((flush_atom), from(sender).to(sender));
  CAF_CHECK_EQUAL(received(), std::vector<std::uint8_t>({1, 2, 3}));
  CAF_CHECK_EQUAL(counters->replies_sent.load(), 3u);
  CAF_CHECK_EQUAL(per_link->replies_sent.value.load(), 3u);
}

CAF_TEST(replies to an absent binder are counted and dropped) {
  binder = ipc::unique_fd{};
  directory->remove(ipc::socket_paths::binder_name);
  self->send(sender, send_frame_atom::value, reply_of(7));
  run();
  CAF_CHECK_EQUAL(counters->replies_sent.load(), 0u);
  CAF_CHECK_EQUAL(counters->replies_dropped_binder_absent.load(), 1u);
  CAF_CHECK_EQUAL(per_link->replies_dropped.value.load(), 1u);
  // Back: the next reply goes to whatever is bound at the path by then.
  binder = directory->bind_socket(ipc::socket_paths::binder_name, SOCK_DGRAM, {});
  self->send(sender, send_frame_atom::value, reply_of(8));
  run();
  CAF_CHECK_EQUAL(received(), std::vector<std::uint8_t>({8}));
}

CAF_TEST_FIXTURE_SCOPE_END()
