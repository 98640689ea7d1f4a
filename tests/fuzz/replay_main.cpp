// Runs a fuzz target over files instead of under libFuzzer: every file given,
// and every file in every directory given. This is how the seed corpora and
// the inputs that once broke a target (regressions/) run as ordinary tests in
// the GCC build, sanitized or not.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

static void replay(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
}

int main(int argc, char** argv) {
  std::size_t inputs = 0;
  for (int i = 1; i < argc; ++i) {
    fs::path path = argv[i];
    if (fs::is_directory(path)) {
      for (auto& entry : fs::recursive_directory_iterator(path))
        if (entry.is_regular_file()) replay(entry.path()), ++inputs;
    } else if (fs::exists(path)) {
      replay(path), ++inputs;
    } else {
      // A target's regressions folder exists only once something broke it.
      std::printf("replay: no %s, nothing to replay there\n", argv[i]);
    }
  }
  std::printf("replayed %zu inputs without a broken property\n", inputs);
  return 0;
}
