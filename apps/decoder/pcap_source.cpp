#include "apps/decoder/pcap_source.hpp"

#include <pcap/pcap.h>

namespace etherbeam::apps::decoder {

struct pcap_source::state {
  pcap_t* handle = nullptr;
  bpf_program filter{};
  bool filtered = false;
  pcap_dumper_t* written = nullptr;
};

pcap_source::pcap_source(const std::string& path, const std::string& filter) : s_(std::make_unique<state>()) {
  char error[PCAP_ERRBUF_SIZE] = "";
  s_->handle = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, error);
  if (!s_->handle) throw pcap_error(path + ": " + error);
  auto link = link_type_of_dlt(pcap_datalink(s_->handle));
  if (!link) {
    std::string kind = pcap_datalink_val_to_name(pcap_datalink(s_->handle)) ?: "unknown";
    pcap_close(s_->handle);
    throw pcap_error(path + ": link type " + kind + " cannot be decoded; these can: Ethernet (EN10MB), "
                     "Linux cooked v1 and v2 (LINUX_SLL, LINUX_SLL2: tcpdump -i any), raw IP (RAW, IPV4: tun devices)");
  }
  link_ = *link;
  if (!filter.empty()) {
    if (pcap_compile(s_->handle, &s_->filter, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      std::string why = pcap_geterr(s_->handle);
      pcap_close(s_->handle);
      throw pcap_error("filter \"" + filter + "\": " + why + " (BPF syntax, as tcpdump's: man pcap-filter)");
    }
    s_->filtered = true;
  }
}

void pcap_source::write_to(const std::string& path) {
  s_->written = pcap_dump_open(s_->handle, path.c_str());
  if (!s_->written) throw pcap_error(std::string("cannot write: ") + pcap_geterr(s_->handle));
}

pcap_source::~pcap_source() {
  if (s_->written) pcap_dump_close(s_->written);
  if (s_->filtered) pcap_freecode(&s_->filter);
  if (s_->handle) pcap_close(s_->handle);
}

void pcap_source::for_each(const std::function<bool(protocols::byte_view, double, std::size_t)>& frame) {
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  double first = -1;
  std::size_t number = 0;
  int rc;
  while ((rc = pcap_next_ex(s_->handle, &header, &data)) == 1) {
    double t = double(header->ts.tv_sec) + double(header->ts.tv_usec) / 1e9; // nanosecond precision asked
    if (first < 0) first = t;
    ++number;
    if (s_->filtered && !pcap_offline_filter(&s_->filter, header, data)) continue;
    if (s_->written) pcap_dump(reinterpret_cast<u_char*>(s_->written), header, data);
    if (!frame(protocols::byte_view(data, header->caplen), t - first, number)) return;
  }
  if (rc == PCAP_ERROR) throw pcap_error(std::string("reading: ") + pcap_geterr(s_->handle));
}

struct capture_filter::state {
  bpf_program program{};
};

capture_filter::capture_filter(const std::string& filter) : s_(std::make_unique<state>()) {
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 262144);
  if (pcap_compile(dead, &s_->program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    std::string why = pcap_geterr(dead);
    pcap_close(dead);
    throw pcap_error("filter \"" + filter + "\": " + why + " (BPF syntax, as tcpdump's: man pcap-filter)");
  }
  pcap_close(dead);
}

capture_filter::~capture_filter() { pcap_freecode(&s_->program); }

bool capture_filter::passes(protocols::byte_view frame) const {
  pcap_pkthdr header{};
  header.caplen = header.len = static_cast<bpf_u_int32>(frame.size());
  return pcap_offline_filter(&s_->program, &header, frame.data()) != 0;
}

} // namespace etherbeam::apps::decoder
