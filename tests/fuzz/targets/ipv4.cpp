// IPv4 headers with options, fragments and lying lengths: check and parse; a
// parsed header emitted again (without options) must check and parse the same.
#include <cstdint>
#include <cstring>
#include <vector>

#include "protocols/ipv4.hpp"
#include "tests/fuzz/fuzz_expect.hpp"

using namespace etherbeam::protocols;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto packet = ipv4_packet::check({data, size});
  if (!packet) return 0;
  auto repr = ipv4_repr::parse(*packet);
  if (!repr) return 0;
  FUZZ_EXPECT(repr->payload_len == packet->payload().size());
  std::vector<std::uint8_t> again(ipv4_repr::header_len() + repr->payload_len);
  repr->emit(again);
  std::memcpy(again.data() + ipv4_repr::header_len(), packet->payload().data(), repr->payload_len);
  auto reread = ipv4_packet::check(again);
  FUZZ_EXPECT(reread);
  auto same = ipv4_repr::parse(*reread);
  FUZZ_EXPECT(same);
  FUZZ_EXPECT(same->source == repr->source && same->destination == repr->destination);
  FUZZ_EXPECT(same->protocol == repr->protocol && same->ttl == repr->ttl);
  FUZZ_EXPECT(same->more_fragments == repr->more_fragments && same->fragment_offset == repr->fragment_offset);
  FUZZ_EXPECT(same->payload_len == repr->payload_len);
  return 0;
}
