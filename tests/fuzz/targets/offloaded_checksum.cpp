// Finishing an offloaded TCP/UDP checksum: raw_binder runs this, with
// CAP_NET_RAW, on frames from the wire. The input is a whole frame.
// Properties: a frame it declines is left exactly as it was; one it finishes
// differs from the input in at most the two checksum bytes, and finishing it
// again changes nothing.
#include <cstdint>
#include <vector>

#include "protocols/offloaded_checksum.hpp"
#include "tests/fuzz/fuzz_expect.hpp"

using namespace etherbeam::protocols;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> frame(data, data + size);
  bool finished = complete_offloaded_checksum(frame);
  std::size_t changed = 0;
  for (std::size_t i = 0; i < size; ++i) changed += frame[i] != data[i];
  if (!finished) {
    FUZZ_EXPECT(changed == 0);
    return 0;
  }
  FUZZ_EXPECT(changed <= 2);
  auto once = frame;
  FUZZ_EXPECT(complete_offloaded_checksum(frame));
  FUZZ_EXPECT(frame == once);
  return 0;
}
