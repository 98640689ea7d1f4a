// ARP over Ethernet/IPv4: parse, emit, and the emitted packet parses the same.
#include <array>
#include <cstdint>

#include "protocols/arp.hpp"
#include "tests/fuzz/fuzz_expect.hpp"

using namespace etherbeam::protocols;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto packet = arp_packet::check({data, size});
  if (!packet) return 0;
  auto repr = arp_repr::parse(*packet);
  if (!repr) return 0;
  std::array<std::uint8_t, arp_repr::buffer_len()> again{};
  repr->emit(again);
  auto reread = arp_packet::check(again);
  FUZZ_EXPECT(reread);
  auto same = arp_repr::parse(*reread);
  FUZZ_EXPECT(same);
  FUZZ_EXPECT(same->operation == repr->operation);
  FUZZ_EXPECT(same->sender_hardware == repr->sender_hardware && same->sender_protocol == repr->sender_protocol);
  FUZZ_EXPECT(same->target_hardware == repr->target_hardware && same->target_protocol == repr->target_protocol);
  return 0;
}
