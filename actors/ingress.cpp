#include "actors/ingress.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/exit_reason.hpp>
#include <spdlog/spdlog.h>

#include "actors/frame_tap.hpp"
#include "actors/frame_intake.hpp"
#include "daemon/serving_loop.hpp"
#include "ipc/datagram_batch.hpp"
#include "ipc/socket_pair.hpp"

namespace etherbeam::actors {

namespace {

// How often the actor looks at its mailbox while no frame arrives: bounds the
// time a shutdown or restart waits, without waking the CPU noticeably.
constexpr int mailbox_poll_ms = 200;
// How long ingress waits before looking again when the admission bound is reached.
constexpr auto ingress_pause = std::chrono::microseconds(200);
// Jumbo frames with two VLAN tags fit; anything larger is counted as oversize.
constexpr std::size_t max_datagram = 9216 + 64;

// Follows the binder's link file when no MAC is configured. Once a MAC is
// known the file is looked at no more than every recheck_interval: a stat()
// per batch was a system call on every frame's path at low rates.
class learned_identity {
public:
  learned_identity(stack_identity configured, std::filesystem::path link_file,
                   std::shared_ptr<link_directory> directory, link_index link)
      : configured_(std::move(configured)), link_file_(std::move(link_file)), directory_(std::move(directory)),
        link_(link), current_(std::make_shared<const stack_identity>(configured_)) {
    if (directory_) directory_->publish(link_, current_);
  }

  // `frames_arrived`: asked because frames came (a MAC still unknown then
  // is worth saying), or at start.
  const std::shared_ptr<const stack_identity>& current(bool frames_arrived = true) {
    if (!configured_.mac) refresh(frames_arrived);
    return current_;
  }
  // What is known now, without looking at the link file (no frame asked).
  const std::shared_ptr<const stack_identity>& known() const { return current_; }

private:
  static constexpr auto recheck_interval = std::chrono::milliseconds(500);

  void refresh(bool frames_arrived) {
    auto now = std::chrono::steady_clock::now();
    if (current_->mac && now - checked_ < recheck_interval) return;
    checked_ = now;
    std::error_code ec;
    auto stamp = std::filesystem::last_write_time(link_file_, ec);
    if (ec) return frames_arrived ? unknown_mac(ec.message()) : void();
    if (current_->mac && stamp == stamp_) return;
    stamp_ = stamp;
    auto info = ipc::read_link_info(link_file_);
    auto mac = info ? protocols::mac_address::from_string(info->mac) : std::nullopt;
    if (!mac && !current_->mac && frames_arrived)
      return unknown_mac(info ? "its mac= is not a MAC" : "it cannot be read or names no mac=");
    if (!mac || (mac == current_->mac && learned_mtu(*info) == current_->mtu)) return;
    said_unknown_ = false;
    auto next = configured_;
    next.mac = mac;
    next.mtu = learned_mtu(*info);
    current_ = std::make_shared<const stack_identity>(std::move(next));
    if (directory_) directory_->publish(link_, current_);
    spdlog::info("answering with {}'s MAC {}, MTU {} (learned from {})", info->interface, mac->to_string(),
                 current_->link_mtu(), link_file_.string());
  }

  std::uint16_t learned_mtu(const ipc::link_info& info) const {
    if (configured_.mtu || info.mtu < 68 || info.mtu > 65535) return configured_.mtu;
    return static_cast<std::uint16_t>(info.mtu);
  }

  // Frames arrive (this is called per batch) but no MAC is known, so none is
  // answered: say why and what to do, once.
  void unknown_mac(const std::string& why) {
    if (current_->mac || said_unknown_) return;
    said_unknown_ = true;
    spdlog::warn("frames arrive but no MAC is known to answer with, so none is answered: raw_binder's link file "
                 "{}: {}. Give --mac, or let etherbeam's user read that directory (start both daemons with the "
                 "same --socket-group)", link_file_.string(), why);
  }

  stack_identity configured_;
  std::filesystem::path link_file_;
  std::shared_ptr<link_directory> directory_;
  link_index link_;
  bool said_unknown_ = false;
  std::filesystem::file_time_type stamp_{};
  std::chrono::steady_clock::time_point checked_{};
  std::shared_ptr<const stack_identity> current_;
};

// RFC 5227 §2.3: ANNOUNCE_NUM (2) announcements ANNOUNCE_INTERVAL (2 s)
// apart, when the link comes up and whenever the MAC we answer with changes.
class announcements {
public:
  static constexpr int count = 2;
  static constexpr auto interval = std::chrono::seconds(2);

  void when_due(const std::shared_ptr<const stack_identity>& me, frame_intake& intake) {
    if (!me || !me->mac) return;
    auto now = std::chrono::steady_clock::now();
    if (me != for_) {
      for_ = me;
      left_ = count;
      next_ = now;
    }
    if (left_ == 0 || now < next_) return;
    intake.announce(*me);
    --left_;
    next_ = now + interval;
  }

private:
  std::shared_ptr<const stack_identity> for_;
  int left_ = 0;
  std::chrono::steady_clock::time_point next_{};
};

// Two mistakes that leave etherbeam silent, each said once with the fix:
// nothing arrives and no raw_binder has said which interface it serves (the
// daemons were given different socket directories); or hundreds of frames
// arrive and not one is answered (raw_binder serves an interface other than
// the one of etherbeam's addresses).
class binder_silence {
public:
  static constexpr auto grace = std::chrono::seconds(10);
  static constexpr std::uint64_t enough_frames = 200;

  // `announced`: frames sent unasked (ARP Announcements), not answers.
  void check(const ingress_settings& s, std::uint64_t announced) {
    if (!s.per_link) return;
    auto waited = std::chrono::steady_clock::now() - started_;
    if (!said_absent_ && waited >= grace) {
      said_absent_ = true;
      std::error_code ec;
      if (s.per_link->frames_in.value.load() == 0 && !std::filesystem::exists(s.link_file, ec))
        spdlog::warn("no frame has arrived in {} s and no raw_binder has written {}: is raw_binder running, with "
                     "--socket-dir {} (the directory given to etherbeam)?",
                     grace.count(), s.link_file.string(), s.link_file.parent_path().string());
    }
    if (!said_unanswered_ && waited >= grace) {
      auto frames = s.per_link->frames_in.value.load();
      if (s.per_link->replies_sent.value.load() > announced) said_unanswered_ = true; // it works: never say it
      if (said_unanswered_ || frames < enough_frames) return;
      said_unanswered_ = true;
      auto info = ipc::read_link_info(s.link_file);
      std::string addresses;
      for (const auto& a : s.identity.addresses) addresses += (addresses.empty() ? "" : ", ") + a.to_string();
      spdlog::warn("{} frames arrived from raw_binder{} and not one was answered: none was for {}. Is raw_binder "
                   "on the interface of that subnet? (If nobody has asked for these addresses yet, ignore this.)",
                   frames, info ? " on " + info->interface : std::string{}, addresses);
    }
  }

private:
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  bool said_absent_ = false, said_unanswered_ = false;
};

void ingress(caf::blocking_actor* self, ingress_settings s) {
  learned_identity identity{s.identity, s.link_file, s.directory, s.link};
  ipc::receive_batch batch(static_cast<std::size_t>(std::max(1, s.io_batch)), max_datagram, true);
  pollfd readable{s.socket, POLLIN, 0};
  // per_protocol: the stateless workers, linked so that they end with ingress
  // and a restart of ingress brings a fresh pool.
  std::vector<caf::actor> pool;
  if (s.model == concurrency_model::per_protocol)
    for (std::size_t i = 0; i < std::max<std::size_t>(1, s.workers); ++i) {
      pool.push_back(spawn_frame_worker(self->system(), replies_of(s)));
      self->link_to(pool.back());
    }
  frame_intake intake{self->system(), s, std::move(pool)};
  announcements announcing;
  binder_silence silence;
  identity.current(false); // a MAC raw_binder already wrote is announced at once
  std::chrono::steady_clock::time_point spin_until{};
  daemon::serving_loop loop{self};
  loop.run(
    [&] {
      announcing.when_due(identity.known(), intake);
      intake.expire_fragments(*identity.known());
      silence.check(s, intake.announced());
      // Full: the datagrams stay in the socket rather than being read only to
      // be dropped. Once its queue is full raw_binder sheds at the ring,
      // where a frame costs least, and this thread's core goes to the
      // frames already admitted.
      if (s.counters->frames_in_flight.load(std::memory_order_relaxed) >= s.limits.frames_in_flight) {
        ++s.counters->ingress_paused;
        std::this_thread::sleep_for(ingress_pause);
        return;
      }
      // Within the spin after a batch, read without waiting: a wake-up from
      // poll costs more than an empty recvmmsg while frames keep coming.
      bool spinning = std::chrono::steady_clock::now() < spin_until;
      if (!spinning && ::poll(&readable, 1, mailbox_poll_ms) <= 0) return;
      intake.begin_batch(identity.current());
      int received = batch.receive(s.socket);
      if (received > 0 && s.busy_poll.count() > 0) spin_until = std::chrono::steady_clock::now() + s.busy_poll;
      if (received == 0 && spinning) return;
      if (received < 0) ++s.counters->ingress_receive_errors;
      auto& tap = frame_tap::of_process();
      for (int i = 0; i < received; ++i) {
        if (tap.listening()) tap.copy(s.link, tap_direction::in, batch.datagram(i));
        intake.take(batch.datagram(i), batch.header(i), batch.truncated(i));
      }
      intake.end_batch();
    },
    [&](inject_fault_atom) {
      spdlog::warn("ingress: fault injected, failing on purpose");
      loop.stop(caf::sec::runtime_error);
    });
}

} // namespace

caf::actor spawn_ingress(caf::actor_system& system, ingress_settings settings) {
  return system.spawn(ingress, std::move(settings));
}

} // namespace etherbeam::actors
