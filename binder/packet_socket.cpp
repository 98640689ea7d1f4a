#include "binder/packet_socket.hpp"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

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

packet_socket packet_socket::open(const std::string& interface, bool promiscuous) {
  if (interface.empty() || interface.size() >= IFNAMSIZ)
    throw std::runtime_error("interface name '" + interface + "' is not valid");
  unsigned index = ::if_nametoindex(interface.c_str());
  if (index == 0) fail("cannot find the interface", interface);

  packet_socket s;
  s.interface_ = interface;
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

packet_socket::receive_status packet_socket::receive(std::span<std::uint8_t> buffer,
                                                     std::span<const std::uint8_t>& frame) {
  constexpr std::size_t tag_len = 4;
  sockaddr_ll from{};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(tpacket_auxdata))];
  iovec iov{buffer.data() + tag_len, buffer.size() - tag_len};
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;

  auto n = ::recvmsg(fd(), &msg, MSG_DONTWAIT | MSG_TRUNC);
  if (n < 0) return errno == EAGAIN || errno == EINTR ? receive_status::nothing : receive_status::error;
  if (from.sll_pkttype == PACKET_OUTGOING) return receive_status::outgoing;
  if (static_cast<std::size_t>(n) > iov.iov_len) return receive_status::error; // larger than our buffer

  std::uint8_t* start = buffer.data() + tag_len;
  std::size_t len = static_cast<std::size_t>(n);
  // The kernel hands VLAN-tagged frames over with the tag removed and kept in
  // auxdata (hardware VLAN offload); put it back so the logic server sees the
  // frame exactly as it was on the wire, as libpcap does for tcpdump.
  for (auto* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA) continue;
    tpacket_auxdata aux;
    std::memcpy(&aux, CMSG_DATA(c), sizeof aux);
    if (!(aux.tp_status & TP_STATUS_VLAN_VALID) || len < 12) continue;
    std::uint16_t tpid = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) ? aux.tp_vlan_tpid : ETH_P_8021Q;
    std::memmove(start - tag_len, start, 12);
    start -= tag_len;
    start[12] = static_cast<std::uint8_t>(tpid >> 8);
    start[13] = static_cast<std::uint8_t>(tpid);
    start[14] = static_cast<std::uint8_t>(aux.tp_vlan_tci >> 8);
    start[15] = static_cast<std::uint8_t>(aux.tp_vlan_tci);
    len += tag_len;
  }
  frame = {start, len};
  return receive_status::frame;
}

bool packet_socket::inject(std::span<const std::uint8_t> frame) {
  return ::send(fd(), frame.data(), frame.size(), MSG_DONTWAIT) == static_cast<ssize_t>(frame.size());
}

} // namespace etherbeam::binder
