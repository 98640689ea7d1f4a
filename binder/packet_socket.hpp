#pragma once
// An AF_PACKET socket bound to one interface: whole Ethernet frames in and out.
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "binder/socket_pair.hpp"

namespace etherbeam::binder {

class packet_socket {
public:
  // Needs CAP_NET_RAW. Throws std::runtime_error naming the interface and the
  // likely fix (missing capability, no such interface).
  static packet_socket open(const std::string& interface, bool promiscuous);

  int fd() const { return fd_.get(); }
  const std::string& interface() const { return interface_; }
  const std::string& mac() const { return mac_; }

  enum class receive_status : std::uint8_t { frame, outgoing, nothing, error };
  // Reads one frame into `buffer` (which needs 4 spare bytes for a VLAN tag the
  // kernel may have taken off), and sets `frame` to the bytes as they were on
  // the wire. Frames this host sent are reported as `outgoing`, not relayed.
  receive_status receive(std::span<std::uint8_t> buffer, std::span<const std::uint8_t>& frame);
  bool inject(std::span<const std::uint8_t> frame);

private:
  ipc::unique_fd fd_;
  std::string interface_;
  std::string mac_;
};

} // namespace etherbeam::binder
