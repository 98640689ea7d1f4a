#include "binder/packet_socket.hpp"

#include "ipc/datagram_batch.hpp"
#include "protocols/offloaded_checksum.hpp"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace etherbeam::binder {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& interface) {
  int e = errno;
  std::string hint;
  if (e == EPERM || e == EACCES) hint = " (raw_binder needs CAP_NET_RAW: run it as root or grant it with setcap cap_net_raw+ep)";
  if (e == ENODEV || e == ENXIO) hint = " (no such interface: check `ip link`)";
  throw std::runtime_error(what + " on " + interface + ": " + std::strerror(e) + hint);
}

std::string read_mac(int fd, const std::string& interface) {
  ifreq req{};
  std::strncpy(req.ifr_name, interface.c_str(), IFNAMSIZ - 1);
  if (::ioctl(fd, SIOCGIFHWADDR, &req) != 0) fail("cannot read the MAC address", interface);
  auto* b = reinterpret_cast<const unsigned char*>(req.ifr_hwaddr.sa_data);
  char s[18];
  std::snprintf(s, sizeof s, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
  return s;
}

} // namespace

unsigned packet_socket::mtu() const {
  ifreq req{};
  std::strncpy(req.ifr_name, interface_.c_str(), IFNAMSIZ - 1);
  if (::ioctl(fd_.get(), SIOCGIFMTU, &req) != 0) return 0;
  return static_cast<unsigned>(req.ifr_mtu);
}

std::uint16_t tcp_segment_size(const std::uint8_t* header) {
  constexpr std::uint8_t gso_tcpv4 = 1, gso_tcpv6 = 4, gso_ecn = 0x80; // VIRTIO_NET_HDR_GSO_*
  virtio_net_header h;
  std::memcpy(&h, header, sizeof h);
  auto type = h.gso_type & ~gso_ecn;
  return type == gso_tcpv4 || type == gso_tcpv6 ? h.gso_size : 0;
}

std::uint8_t* put_back_vlan_tag(std::uint8_t* frame, std::uint16_t tpid, std::uint16_t tci) {
  std::memmove(frame - vlan_tag_len, frame, 12);
  frame -= vlan_tag_len;
  frame[12] = static_cast<std::uint8_t>(tpid >> 8);
  frame[13] = static_cast<std::uint8_t>(tpid);
  frame[14] = static_cast<std::uint8_t>(tci >> 8);
  frame[15] = static_cast<std::uint8_t>(tci);
  return frame;
}

packet_socket packet_socket::open(const std::string& interface, bool promiscuous,
                                  std::span<const sock_filter> filter, bool vnet_header) {
  if (interface.empty() || interface.size() >= IFNAMSIZ)
    throw std::runtime_error("interface name '" + interface + "' is not valid");
  unsigned index = ::if_nametoindex(interface.c_str());
  if (index == 0) fail("cannot find the interface", interface);

  packet_socket s;
  s.interface_ = interface;
  s.index_ = index;
  // Protocol 0 receives nothing until bind() names the interface, so no frame
  // from another interface can slip in between socket() and bind().
  s.fd_ = ipc::unique_fd{::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
  if (!s.fd_) fail("cannot open a packet socket", interface);

  int on = 1;
  // Frames we inject must never come back to us as input (no loops); older
  // kernels lack this option, and receive() filters PACKET_OUTGOING anyway.
  ::setsockopt(s.fd(), SOL_PACKET, PACKET_IGNORE_OUTGOING, &on, sizeof on);
  if (::setsockopt(s.fd(), SOL_PACKET, PACKET_AUXDATA, &on, sizeof on) != 0)
    fail("cannot enable PACKET_AUXDATA", interface);
  if (vnet_header && ::setsockopt(s.fd(), SOL_PACKET, PACKET_VNET_HDR, &on, sizeof on) != 0)
    fail("cannot enable PACKET_VNET_HDR", interface);
  s.vnet_header_ = vnet_header;

  if (!filter.empty()) {
    sock_fprog program{static_cast<unsigned short>(filter.size()), const_cast<sock_filter*>(filter.data())};
    if (::setsockopt(s.fd(), SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) != 0)
      fail("cannot attach the lane's filter", interface);
  }

  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(ETH_P_ALL);
  addr.sll_ifindex = static_cast<int>(index);
  if (::bind(s.fd(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    fail("cannot bind the packet socket", interface);

  if (promiscuous) {
    packet_mreq mreq{};
    mreq.mr_ifindex = static_cast<int>(index);
    mreq.mr_type = PACKET_MR_PROMISC;
    if (::setsockopt(s.fd(), SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof mreq) != 0)
      fail("cannot enable promiscuous mode", interface);
  }
  s.mac_ = read_mac(s.fd(), interface);
  return s;
}

packet_batch::packet_batch(std::size_t slots, std::size_t slot_bytes)
    : slot_bytes_(slot_bytes), storage_(std::make_unique_for_overwrite<std::uint8_t[]>(slots * (vlan_tag_len + slot_bytes))), slots_(slots), messages_(slots) {}

int packet_batch::receive(const packet_socket& socket) {
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    auto& s = slots_[i];
    // Room for a tag before the frame: put back in place, no copy of the payload.
    s.vector = {storage_.get() + i * (vlan_tag_len + slot_bytes_) + vlan_tag_len, slot_bytes_};
    auto& msg = messages_[i].msg_hdr;
    msg = {};
    msg.msg_name = &s.from;
    msg.msg_namelen = sizeof s.from;
    msg.msg_iov = &s.vector;
    msg.msg_iovlen = 1;
    msg.msg_control = s.control;
    msg.msg_controllen = sizeof s.control;
  }
  int n = ::recvmmsg(socket.fd(), messages_.data(), static_cast<unsigned>(messages_.size()), MSG_DONTWAIT, nullptr);
  if (n < 0) return errno == EAGAIN || errno == EINTR ? 0 : -1;
  for (int i = 0; i < n; ++i) {
    auto& s = slots_[i];
    auto& msg = messages_[i].msg_hdr;
    auto* start = static_cast<std::uint8_t*>(s.vector.iov_base);
    std::size_t len = std::min<std::size_t>(messages_[i].msg_len, slot_bytes_);
    s.segment_size = 0;
    if (socket.vnet_header() && len >= sizeof(virtio_net_header)) { // the header before the frame
      s.segment_size = tcp_segment_size(start);
      start += sizeof(virtio_net_header);
      len -= sizeof(virtio_net_header);
    }
    s.what = s.from.sll_pkttype == PACKET_OUTGOING ? frame_kind::outgoing
             : (msg.msg_flags & MSG_TRUNC)         ? frame_kind::truncated
                                                   : frame_kind::frame;
    std::uint32_t status = 0;
    for (auto* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA) continue;
      tpacket_auxdata aux;
      std::memcpy(&aux, CMSG_DATA(c), sizeof aux);
      status = aux.tp_status;
      if (!(aux.tp_status & TP_STATUS_VLAN_VALID) || len < 12) continue;
      std::uint16_t tpid = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) ? aux.tp_vlan_tpid : ETH_P_8021Q;
      start = put_back_vlan_tag(start, tpid, aux.tp_vlan_tci);
      len += vlan_tag_len;
    }
    s.start = start;
    s.len = len;
    s.checksum_completed = (status & TP_STATUS_CSUMNOTREADY) && s.what == frame_kind::frame &&
                           protocols::complete_offloaded_checksum({start, len});
  }
  return n;
}

std::size_t packet_socket::inject(std::span<const std::span<const std::uint8_t>> frames) {
  ipc::outgoing_messages messages;
  std::size_t injected = 0, at = 0;
  while (at < frames.size()) {
    auto n = messages.load(frames, at);
    int sent = ::sendmmsg(fd(), messages.data(), static_cast<unsigned>(n), MSG_DONTWAIT);
    if (sent > 0) {
      injected += static_cast<std::size_t>(sent);
      at += static_cast<std::size_t>(sent);
    } else {
      ++at; // this one could not go (a full queue, a bad frame): skip it, try the rest
    }
  }
  return injected;
}

} // namespace etherbeam::binder
