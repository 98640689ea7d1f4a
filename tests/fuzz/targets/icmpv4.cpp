// ICMP echo: check, parse, emit; the emitted echo parses the same, with a
// checksum that verifies.
#include <cstdint>
#include <vector>

#include "protocols/icmpv4.hpp"
#include "tests/fuzz/fuzz_expect.hpp"

using namespace etherbeam::protocols;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto packet = icmpv4_packet::check({data, size});
  if (!packet) return 0;
  auto repr = icmpv4_echo_repr::parse(*packet);
  if (!repr) return 0;
  std::vector<std::uint8_t> again(repr->buffer_len());
  repr->emit(again);
  auto reread = icmpv4_packet::check(again);
  FUZZ_EXPECT(reread && reread->checksum_valid());
  auto same = icmpv4_echo_repr::parse(*reread);
  FUZZ_EXPECT(same);
  FUZZ_EXPECT(same->is_request == repr->is_request && same->identifier == repr->identifier);
  FUZZ_EXPECT(same->sequence == repr->sequence);
  FUZZ_EXPECT(same->data.size() == repr->data.size());
  return 0;
}
