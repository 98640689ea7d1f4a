// Ethernet II with up to two VLAN tags: check, parse, emit the header again,
// and the emitted frame must read back the same.
#include <cstdint>
#include <cstring>
#include <vector>

#include "protocols/ethernet.hpp"
#include "tests/fuzz/fuzz_expect.hpp"

using namespace etherbeam::protocols;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto frame = ethernet_frame::check({data, size});
  if (!frame) return 0;
  auto repr = ethernet_repr::parse(*frame);
  FUZZ_EXPECT(repr.header_len() == frame->header_len());
  std::vector<std::uint8_t> again(repr.header_len() + frame->payload().size());
  repr.emit(again);
  std::memcpy(again.data() + repr.header_len(), frame->payload().data(), frame->payload().size());
  auto reread = ethernet_frame::check(again);
  FUZZ_EXPECT(reread);
  auto same = ethernet_repr::parse(*reread);
  FUZZ_EXPECT(same.destination == repr.destination && same.source == repr.source);
  FUZZ_EXPECT(same.vlan_count == repr.vlan_count && same.vlans == repr.vlans);
  FUZZ_EXPECT(same.ethertype == repr.ethertype);
  return 0;
}
