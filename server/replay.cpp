#include "server/replay.hpp"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <ostream>
#include <vector>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "actors/frame_intake.hpp"
#include "ipc/datagram_batch.hpp"
#include "ipc/sender_credentials.hpp"
#include "ipc/socket_pair.hpp"
#include "protocols/arp.hpp"
#include "protocols/ethernet.hpp"
#include "protocols/ipv4.hpp"
#include "server/supervision_tree.hpp"

namespace etherbeam::server {

namespace {

struct captured_frame {
  timeval at;
  std::vector<std::uint8_t> bytes;
};

// Replies collected between two frames: what raw_binder would have read.
constexpr int reply_buffer_bytes = 8 << 20;
// A MAC for a link whose capture never shows etherbeam's own (locally administered).
constexpr const char* default_mac = "02:00:00:00:00:01";

std::chrono::microseconds since(const timeval& a, const timeval& b) {
  return std::chrono::seconds(a.tv_sec - b.tv_sec) + std::chrono::microseconds(a.tv_usec - b.tv_usec);
}

std::optional<std::vector<captured_frame>> read_capture(const std::string& path, std::ostream& errors) {
  char why[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline(path.c_str(), why);
  if (!p) {
    errors << "replay: cannot read " << path << ": " << why << "\n";
    return std::nullopt;
  }
  std::vector<captured_frame> frames;
  if (pcap_datalink(p) != DLT_EN10MB) {
    errors << "replay: " << path << " holds " << pcap_datalink_val_to_name(pcap_datalink(p))
           << " frames; etherbeam replays Ethernet captures only (capture on the interface itself, "
              "tcpdump -i IFACE, not -i any, whose cooked headers keep no destination MAC)\n";
    pcap_close(p);
    return std::nullopt;
  }
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(p, &header, &data) == 1)
    frames.push_back({header->ts, {data, data + header->caplen}});
  pcap_close(p);
  return frames;
}

// The MAC etherbeam had when the capture was taken: the source of a frame
// from one of its addresses (its ARP replies, its IPv4 answers).
std::optional<protocols::mac_address> own_mac_in(const std::vector<captured_frame>& frames,
                                                 const actors::stack_identity& me) {
  for (const auto& f : frames) {
    auto eth = protocols::ethernet_frame::check(f.bytes);
    if (!eth) continue;
    if (eth->ethertype() == protocols::ethertype::arp) {
      auto arp = protocols::arp_packet::check(eth->payload());
      if (arp && me.owns(arp->sender_protocol())) return eth->source();
    } else if (eth->ethertype() == protocols::ethertype::ipv4) {
      auto ip = protocols::ipv4_packet::check(eth->payload());
      if (ip && me.owns(ip->source())) return eth->source();
    }
  }
  return std::nullopt;
}

actors::stack_identity& identity_of(server_config& config, std::size_t link) {
  return config.links.empty() ? config.identity : config.links[link].identity;
}

// Sockets, metrics and state of a replay's own: nothing a running etherbeam uses.
void isolate(server_config& config, const std::filesystem::path& scratch, const std::filesystem::path& state_dir) {
  if (config.links.empty()) {
    config.socket_dir = scratch / "main";
    config.frames_socket.clear();
    config.replies_socket.clear();
  }
  for (auto& link : config.links) {
    link.socket_dir = scratch / ("link-" + link.name);
    link.frames_socket.clear();
    link.replies_socket.clear();
  }
  config.dhcp.state_dir = state_dir;
  config.metrics_file.clear();
  config.deterministic = true;
  config.disabled_apps.push_back("decoder"); // no recording of a replay
}

ipc::unique_fd bind_binder_side(const std::filesystem::path& path) {
  std::filesystem::create_directories(path.parent_path());
  ipc::unique_fd fd{::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
  auto address = ipc::unix_address(path);
  if (fd.get() < 0 || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    throw std::runtime_error("cannot bind " + path.string() + ": " + std::strerror(errno));
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &reply_buffer_bytes, sizeof reply_buffer_bytes);
  return fd;
}

// Everything the actors can do now, timers due by the clock included.
void settle(caf::scheduler::test_coordinator& sched) {
  while (sched.run() > 0 || sched.advance_time(caf::timespan{0}) > 0) {
  }
}

// The clock moves in steps no longer than the actors' periodic ticks, so a
// tick due every second fires for each second of a quiet stretch.
constexpr std::chrono::microseconds clock_step = std::chrono::seconds(1);

// The logic as a running etherbeam has it, each frame reaching it as from
// raw_binder: a datagram on a socket that passes its sender's credentials,
// read and taken by the same intake ingress uses (fragments put together,
// admission, the inline model's decision and reply batch).
class replay_run {
public:
  replay_run(server_config config, std::size_t link, const std::vector<int>& binder_sockets)
      : config_(std::move(config)), binder_sockets_(binder_sockets) {
    cfg_.set("scheduler.policy", caf::atom("testing"));
    cfg_.set("logger.file-verbosity", caf::atom("quiet"));
    cfg_.add_error_category(supervision::supervision_error_category, supervision::render_supervision_error);
    system_.emplace(cfg_);
    system_->await_actors_before_shutdown(false);
    sched_ = &dynamic_cast<caf::scheduler::test_coordinator&>(system_->scheduler());
    auto tree = logic_supervisor_spec(*system_, config_, counters_);
    auto links = served_links(config_);
    ingress_ = ingress_settings_for(config_, links, static_cast<actors::link_index>(link), tree, counters_, nullptr);
    ingress_.model = actors::concurrency_model::inline_; // the others differ only in who decides, and when
    identity_ = std::make_shared<const actors::stack_identity>(links[link].identity);
    root_ = supervision::spawn_supervisor(*system_, std::move(tree.spec));
    settle(*sched_);
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair) != 0)
      throw std::runtime_error(std::string("socketpair: ") + std::strerror(errno));
    binder_end_ = ipc::unique_fd{pair[0]};
    ingress_end_ = ipc::unique_fd{pair[1]};
    ipc::pass_credentials(ingress_end_.get());
    ::setsockopt(binder_end_.get(), SOL_SOCKET, SO_SNDBUFFORCE, &reply_buffer_bytes, sizeof reply_buffer_bytes);
    intake_.emplace(*system_, ingress_, std::vector<caf::actor>{});
  }

  ~replay_run() {
    intake_.reset();
    caf::anon_send_exit(root_, caf::exit_reason::user_shutdown);
    settle(*sched_);
  }

  // Feeds one frame at `clock` (time since the first frame) and returns what
  // etherbeam sent because of it, or of timers due by then.
  std::vector<std::vector<std::uint8_t>> feed(std::chrono::microseconds clock,
                                              const std::vector<std::uint8_t>& frame) {
    while (clock > clock_) {
      auto step = std::min(clock - clock_, clock_step);
      sched_->advance_time(step);
      clock_ += step;
      settle(*sched_);
    }
    if (::send(binder_end_.get(), frame.data(), frame.size(), 0) < 0)
      throw std::runtime_error(std::string("a frame did not reach the intake: ") + std::strerror(errno));
    intake_->begin_batch(identity_);
    int received = batch_.receive(ingress_end_.get());
    for (int i = 0; i < received; ++i) intake_->take(batch_.datagram(i), batch_.header(i), batch_.truncated(i));
    intake_->end_batch();
    settle(*sched_);
    return drain();
  }

private:
  std::vector<std::vector<std::uint8_t>> drain() {
    std::vector<std::vector<std::uint8_t>> sent;
    for (int fd : binder_sockets_) {
      ssize_t n;
      while ((n = ::recv(fd, reply_buffer_.data(), reply_buffer_.size(), 0)) >= 0)
        sent.emplace_back(reply_buffer_.begin(), reply_buffer_.begin() + n);
    }
    return sent;
  }

  server_config config_;
  std::vector<int> binder_sockets_;
  std::vector<std::uint8_t> reply_buffer_ = std::vector<std::uint8_t>(65536); // one, not one per frame
  caf::actor_system_config cfg_;
  std::optional<caf::actor_system> system_;
  caf::scheduler::test_coordinator* sched_ = nullptr;
  std::shared_ptr<actors::stack_counters> counters_ = std::make_shared<actors::stack_counters>();
  actors::ingress_settings ingress_; // the intake keeps a reference
  std::shared_ptr<const actors::stack_identity> identity_;
  ipc::unique_fd binder_end_, ingress_end_;
  ipc::receive_batch batch_{1, 65536 + 64, true};
  std::optional<actors::frame_intake> intake_;
  caf::actor root_;
  std::chrono::microseconds clock_{0};
};

struct scratch_directory {
  std::filesystem::path path;
  scratch_directory() {
    char name[] = "/tmp/etherbeam-replay-XXXXXX";
    if (!::mkdtemp(name)) throw std::runtime_error(std::string("cannot make a scratch directory: ") + std::strerror(errno));
    path = name;
  }
  ~scratch_directory() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

} // namespace

int replay(server_config config, const replay_options& options, std::ostream& errors, replay_summary* summary) {
  // The applications' log lines to stderr, warnings up: stdout may be the pcap (-w -).
  if (!spdlog::get("replay")) spdlog::set_default_logger(spdlog::stderr_logger_mt("replay"));
  spdlog::set_level(spdlog::level::warn);
  auto frames = read_capture(options.input, errors);
  if (!frames) return 2;
  auto links = served_links(config);
  std::size_t link = 0;
  if (!options.link.empty()) {
    std::string names;
    for (link = 0; link < links.size() && links[link].name != options.link; ++link) names += " " + links[link].name;
    if (link == links.size()) {
      errors << "replay: no link named \"" << options.link << "\" (the links served:" << names << ")\n";
      return 2;
    }
  }
  for (std::size_t i = 0; i < links.size(); ++i) {
    auto& me = identity_of(config, i);
    if (me.mac) continue;
    auto seen = i == link ? own_mac_in(*frames, me) : std::nullopt;
    me.mac = seen ? *seen : *protocols::mac_address::from_string(default_mac);
    errors << "replay: link " << links[i].name << " answers as " << me.mac->to_string()
           << (seen ? " (its frames in the capture)" : " (give --mac to choose)") << "\n";
  }
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
  pcap_dumper_t* out = pcap_dump_open(dead, options.output.c_str());
  if (!out) {
    errors << "replay: cannot write " << options.output << ": " << pcap_geterr(dead) << "\n";
    pcap_close(dead);
    return 2;
  }
  replay_summary s;
  s.frames_read = frames->size();
  int status = 0;
  try {
    scratch_directory scratch;
    auto state_dir = options.state_dir.empty() ? scratch.path / "state" : options.state_dir;
    std::filesystem::create_directories(state_dir);
    isolate(config, scratch.path, state_dir);
    std::vector<ipc::unique_fd> binder_side;
    std::vector<int> sockets;
    for (const auto& l : served_links(config)) {
      binder_side.push_back(bind_binder_side(ipc::socket_paths{l.socket_dir, l.frames_socket, l.replies_socket}.binder()));
      sockets.push_back(binder_side.back().get());
    }
    auto own = *identity_of(config, link).mac;
    replay_run run{config, link, sockets};
    for (const auto& f : *frames) {
      auto eth = protocols::ethernet_frame::check(f.bytes);
      if (eth && eth->source() == own) { // its earlier answer, in a capture of both directions
        ++s.frames_own;
        continue;
      }
      ++s.frames_replayed;
      for (const auto& reply : run.feed(since(f.at, frames->front().at), f.bytes)) {
        pcap_pkthdr header{f.at, static_cast<bpf_u_int32>(reply.size()), static_cast<bpf_u_int32>(reply.size())};
        pcap_dump(reinterpret_cast<u_char*>(out), &header, reply.data());
        ++s.frames_sent;
      }
    }
  } catch (const std::exception& e) { // a configuration an application refuses, a socket
    errors << "replay: " << e.what() << "\n";
    status = 2;
  }
  pcap_dump_close(out);
  pcap_close(dead);
  if (status == 0)
    errors << "replay: " << s.frames_replayed << " frames replayed (" << s.frames_own
           << " skipped: sent by etherbeam itself), " << s.frames_sent << " sent, to " << options.output << "\n";
  if (summary) *summary = s;
  return status;
}

} // namespace etherbeam::server
