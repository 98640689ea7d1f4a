// raw_binder: the only privileged part of etherbeam. Opens an AF_PACKET socket
// on one interface, keeps CAP_NET_RAW and nothing else, and relays frames
// between the interface and the logic server's UNIX datagram socket.
#include <unistd.h>

#include <csignal>
#include <memory>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "binder/binder_actor.hpp"
#include "binder/capabilities.hpp"
#include "daemon/actor_runtime.hpp"
#include "daemon/daemon_process.hpp"
#include "daemon/process_signals.hpp"
#include "ipc/process_identity.hpp"
#include "ipc/socket_directory.hpp"

using namespace etherbeam;

namespace {

struct options {
  std::string interface;
  std::string socket_dir = ipc::default_socket_dir;
  std::string frames_socket, replies_socket;
  bool promiscuous = false;
  std::string log_level = "info";
  int receive_buffer = 4 << 20;
  std::string socket_group;
  std::string logic_server_user;
  std::size_t batch = 64;
  binder::packet_io io = binder::packet_io::mmap_v2;
  unsigned lanes = 4;
};

ipc::socket_paths paths_of(const options& o) { return {o.socket_dir, o.frames_socket, o.replies_socket}; }

// Privileged work first (the packet socket needs CAP_NET_RAW; joining the
// socket group needs CAP_SETGID), then down to CAP_NET_RAW alone, and only
// then the socket directory, which the unprivileged side may write to.
std::shared_ptr<binder::binder_resources> open_resources(const options& o) {
  std::optional<gid_t> group;
  if (!o.socket_group.empty()) group = ipc::group_id(o.socket_group);
  std::optional<uid_t> logic_server;
  if (!o.logic_server_user.empty()) logic_server = ipc::user_id(o.logic_server_user);
  binder::binder_resources opened{{o.interface, o.promiscuous, o.io, o.lanes}, {}, {}, {}, {}, {},
                                  ipc::datagram_peer(paths_of(o).logic_server()),
                                  ipc::trusted_senders(logic_server), std::make_shared<binder::binder_counters>(),
                                  o.batch};
  auto r = std::make_shared<binder::binder_resources>(std::move(opened));
  binder::open_nic(*r);
  if (group && ::getegid() != *group) ipc::join_group(*group); // its files are the group's from the start
  binder::keep_only_net_raw();
  auto own = paths_of(o).binder();
  r->directory = std::make_shared<ipc::socket_directory>(ipc::socket_directory::open(own.parent_path(), group));
  r->own_socket = r->directory->bind_socket(own.filename().string(), SOCK_DGRAM, {group, {}}, o.receive_buffer);
  ipc::pass_credentials(r->own_socket.get());
  binder::announce_link(*r);
  return r;
}

} // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"raw_binder: relays Ethernet frames between a network interface and the "
               "etherbeam logic server, one frame per UNIX datagram."};
  app.add_option("-i,--iface", o.interface, "Interface to serve (e.g. eth0, veth0)")->required();
  app.add_option("-s,--socket-dir", o.socket_dir,
                 "Directory holding the socket pair shared with etherbeam")
    ->capture_default_str();
  app.add_option("--frames-socket", o.frames_socket,
                 "etherbeam's socket, where frames go, instead of SOCKET_DIR/raw_to_beam.sock (e.g. the "
                 "design note's /tmp/raw_to_gleam.sock)");
  app.add_option("--replies-socket", o.replies_socket,
                 "Where raw_binder receives replies to inject, instead of SOCKET_DIR/beam_to_raw.sock (e.g. "
                 "the design note's /tmp/gleam_to_raw.sock); the link file goes beside it");
  app.add_flag("--promisc", o.promiscuous,
               "Put the interface in promiscuous mode (needed only when etherbeam answers "
               "with a MAC other than the interface's own)");
  app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error or off")
    ->capture_default_str()
    ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.add_option("--receive-buffer", o.receive_buffer,
                 "SO_RCVBUF for the reply socket, in bytes (capped by net.core.rmem_max)")
    ->capture_default_str();
  app.add_option("--socket-group", o.socket_group,
                 "Give raw_binder's socket to this group (mode 0660) so that an etherbeam running "
                 "as another user can reach it; use a group of the two daemons' users only, the same "
                 "for both, and --logic-server-user to say which user may send");
  app.add_option("--logic-server-user", o.logic_server_user,
                 "The user etherbeam runs as: besides root and raw_binder's own user, the only one "
                 "whose datagrams are injected (others are refused, counted and logged)");
  app.add_option("--io-batch", o.batch, "Frames moved per system call, each direction")
    ->capture_default_str()
    ->check(CLI::Range(1, 1024));
  std::string packet_io = "mmap-v2";
  app.add_option("--packet-io", packet_io,
                 "How frames cross the AF_PACKET socket: mmap-v2 (PACKET_MMAP rings, TPACKET_V2: "
                 "no copies, a wake-up per frame), mmap-v3 (TPACKET_V3: frames handed over in "
                 "blocks, fewer wake-ups under load, up to 1 ms more latency when traffic is light) "
                 "or copy (recvmmsg/sendmmsg)")
    ->capture_default_str()
    ->check(CLI::IsMember({"mmap-v2", "mmap-v3", "copy"}));
  app.add_option("--lanes", o.lanes,
                 "Packet sockets the kernel sorts frames into, each with its own ring: 4 (ARP, IPv4 "
                 "UDP such as DHCP, TCP, the rest) or 1. While etherbeam has no room, no lane is read "
                 "and each ring sheds its own frames, so a flood in one lane leaves the others their "
                 "turn. TCP's ring holds 64 KiB super-frames (segmentation offload) whole; with one "
                 "lane, mmap-v2 reads them through the socket's buffer, which a burst can overflow")
    ->capture_default_str()
    ->check(CLI::IsMember({1u, 4u}));
  CLI11_PARSE(app, argc, argv);
  o.io = *binder::parse_packet_io(packet_io);

  daemon::start_logging("raw_binder", o.log_level);
  auto signals = daemon::block_daemon_signals();

  auto paths = paths_of(o);
  std::shared_ptr<binder::binder_resources> resources;
  try {
    resources = open_resources(o);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  spdlog::info("serving {} (mac {}, packet io {}, {} lanes), frames to {}, replies from {}; capabilities now: {}",
               o.interface, resources->nic.mac(), binder::to_string(o.io), o.lanes, paths.logic_server().string(),
               paths.binder().string(), binder::current_capabilities());

  caf::actor_system_config cfg;
  daemon::configure_actor_runtime(cfg, 1); // the relay is a blocking actor on its own thread
  caf::actor_system system{cfg};
  auto counters = resources->counters;
  auto relay = system.spawn(binder::binder_actor, resources);
  // If the relay dies on its own, wake the main thread so the process exits.
  relay->attach_functor([](const caf::error&) { ::kill(::getpid(), SIGTERM); });
  daemon::serve_signals(signals, {[&] { return counters->render(); }, {}});
  caf::anon_send_exit(relay, caf::exit_reason::user_shutdown);
  system.await_all_actors_done();
  resources->directory->remove(paths.binder().filename().string());
  resources->directory->remove(ipc::socket_paths::link_file_name);
  spdlog::info("counters: {}", counters->render());
  return 0;
}
