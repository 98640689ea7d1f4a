// UDP with the pseudo-header checksum. The input is the IPv4 source and
// destination (8 bytes) followed by the datagram, so that the fuzzer can keep
// checksums of seed datagrams valid.
#include <cstdint>
#include <vector>

#include "protocols/udp.hpp"
#include "tests/fuzz/fuzz_expect.hpp"

using namespace etherbeam::protocols;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 8) return 0;
  byte_view input{data, size};
  auto source = ipv4_address::read(input, 0);
  auto destination = ipv4_address::read(input, 4);
  auto packet = udp_packet::check(input.subspan(8));
  if (!packet) return 0;
  auto repr = udp_repr::parse(*packet, source, destination);
  if (!repr) return 0;
  std::vector<std::uint8_t> again(repr->buffer_len());
  repr->emit(again, source, destination);
  auto reread = udp_packet::check(again);
  FUZZ_EXPECT(reread);
  auto same = udp_repr::parse(*reread, source, destination);
  FUZZ_EXPECT(same);
  FUZZ_EXPECT(same->source_port == repr->source_port && same->destination_port == repr->destination_port);
  FUZZ_EXPECT(same->payload.size() == repr->payload.size());
  return 0;
}
