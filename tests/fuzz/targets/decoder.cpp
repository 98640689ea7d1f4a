// The packet decoder on any bytes: it never reads past the frame, every field
// and layer it reports lies inside the frame, and its JSON view is valid JSON.
// The first byte picks the link type (Ethernet, Linux cooked v1 and v2, raw
// IP); the frame is the rest.
#include <cstdint>

#include <nlohmann/json.hpp>

#include "apps/decoder/frame_decoder.hpp"
#include "apps/decoder/frame_views.hpp"
#include "tests/fuzz/fuzz_expect.hpp"

using namespace etherbeam::apps::decoder;

namespace {

void check_inside(const field& f, std::size_t size) {
  FUZZ_EXPECT(f.offset + f.length <= size);
  for (const auto& c : f.children) check_inside(c, size);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto link = static_cast<link_type>(data[0] % 4);
  etherbeam::protocols::byte_view frame{data + 1, size - 1};
  size -= 1;
  auto decoded = decode_frame(frame, link);
  FUZZ_EXPECT(decoded.length == size);
  for (const auto& l : decoded.layers) {
    FUZZ_EXPECT(l.offset <= size);
    for (const auto& f : l.fields) check_inside(f, size);
  }
  if (decoded.malformed) FUZZ_EXPECT(decoded.malformed->offset <= size);
  auto json = json_view(1, 0, decoded);
  FUZZ_EXPECT(nlohmann::json::accept(json));
  view_options everything{true, true, true, true, {}};
  FUZZ_EXPECT(!text_view(1, 0, decoded, frame, everything).empty());
  return 0;
}
