// IPv4 fragments in any order, overlapping, lying, past 64 KiB: the input is a
// byte of MTU choice, then IPv4 packets each behind a 2-byte length. Whatever
// reassembly completes must be a well-formed datagram that, cut again at an
// MTU and put together again, comes back byte for byte; and once everything
// has timed out no memory is held.
#include <cstdint>
#include <vector>

#include "protocols/ipv4_fragmentation.hpp"
#include "protocols/ipv4_reassembly.hpp"
#include "tests/fuzz/fuzz_expect.hpp"

using namespace etherbeam::protocols;

namespace {

void cut_and_rejoin(const std::vector<std::uint8_t>& whole, std::size_t mtu) {
  ipv4_reassembly again;
  std::vector<std::uint8_t> rejoined;
  auto outcome = fragment_frame(whole, 0, mtu, [&](byte_view f) {
    auto fragment = ipv4_packet::check(f);
    FUZZ_EXPECT(fragment && fragment->total_len() <= mtu && fragment->checksum_valid());
    if (again.add({}, *fragment, {}) == ipv4_reassembly::outcome::completed) rejoined = again.whole_frame();
  });
  if (outcome == fragmentation::fragmented) FUZZ_EXPECT(rejoined == whole);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::size_t mtu = 68 + std::size_t(data[0]) * 8;
  ipv4_reassembly table({.max_datagrams = 8, .max_bytes = 256 * 1024, .timeout = std::chrono::seconds(30)});
  ipv4_reassembly::clock::time_point now{};
  for (std::size_t at = 1; at + 2 <= size;) {
    std::size_t len = std::size_t(data[at]) << 8 | data[at + 1];
    at += 2;
    if (len > size - at) len = size - at;
    auto packet = ipv4_packet::check({data + at, len});
    at += len;
    now += std::chrono::seconds(1);
    if (!packet || !packet->is_fragment()) continue;
    FUZZ_EXPECT(table.bytes() <= 256 * 1024 && table.datagrams() <= 8);
    if (table.add({}, *packet, now) != ipv4_reassembly::outcome::completed) continue;
    std::vector<std::uint8_t> whole = table.whole_frame();
    auto checked = ipv4_packet::check(whole);
    FUZZ_EXPECT(checked && checked->total_len() == whole.size() && !checked->is_fragment());
    FUZZ_EXPECT(checked->checksum_valid());
    cut_and_rejoin(whole, mtu);
  }
  table.expire(now + std::chrono::seconds(31), [](byte_view) {});
  FUZZ_EXPECT(table.datagrams() == 0 && table.bytes() == 0);
  return 0;
}
