// The firewall's rules file, read at start and at every SIGHUP. The input:
// the file's text. Properties: it is read, or refused with a rules_error that
// names a line of the text.
#include <algorithm>
#include <cstdint>
#include <string_view>

#include "apps/firewall/rules_file.hpp"
#include "tests/fuzz/fuzz_expect.hpp"

using namespace etherbeam::apps::firewall;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::size_t lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  try {
    auto rules = parse_rules(text, {"lan", "wan"});
    FUZZ_EXPECT(rules != nullptr);
  } catch (const rules_error& e) {
    FUZZ_EXPECT(e.line >= 1 && e.line <= lines);
  }
  return 0;
}
