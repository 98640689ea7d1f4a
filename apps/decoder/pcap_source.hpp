#pragma once
// Frames from a pcap or pcapng file (or stdin), through libpcap, with an
// optional capture filter in BPF syntax compiled by libpcap.
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "apps/decoder/frame_decoder.hpp"
#include "protocols/bytes.hpp"

namespace etherbeam::apps::decoder {

// What is wrong with a file or a filter, for a person to fix.
struct pcap_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class pcap_source {
public:
  // `path` "-": stdin. Throws pcap_error: unreadable, a link type the decoder
  // cannot read, a filter libpcap refuses.
  pcap_source(const std::string& path, const std::string& filter);
  ~pcap_source();
  pcap_source(const pcap_source&) = delete;
  pcap_source& operator=(const pcap_source&) = delete;

  // Calls `frame(bytes, seconds since the first frame, its number in the
  // file from 1)` for each frame the filter passes, until it returns false
  // or the file ends.
  void for_each(const std::function<bool(protocols::byte_view, double, std::size_t)>& frame);
  // The header every frame of the file starts with.
  link_type link() const { return link_; }
  // From now on, for_each also writes each frame it hands over, capture
  // header and link type kept, to `path` ("-": stdout) as pcap. Throws
  // pcap_error when the file cannot be made.
  void write_to(const std::string& path);

private:
  struct state;
  std::unique_ptr<state> s_;
  link_type link_ = link_type::ethernet;
};

// A capture filter (BPF syntax) for frames that come from elsewhere than a
// file (the live tap). Throws pcap_error for a filter libpcap refuses.
class capture_filter {
public:
  explicit capture_filter(const std::string& filter);
  ~capture_filter();
  capture_filter(const capture_filter&) = delete;
  capture_filter& operator=(const capture_filter&) = delete;
  bool passes(protocols::byte_view frame) const;

private:
  struct state;
  std::unique_ptr<state> s_;
};

} // namespace etherbeam::apps::decoder
