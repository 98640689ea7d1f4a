#include "actors/heap_trimmer.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

namespace etherbeam::actors {
namespace {

constexpr std::size_t mib = 1 << 20;

TEST(HeapTrimPolicy, WhileFramesArriveTrimsOnlyWhenMoreThanTheSlackWasFreed) {
  heap_trim_policy policy{4 * mib};
  policy.trimmed(10 * mib);
  EXPECT_FALSE(policy.due(12 * mib, 100));
  EXPECT_FALSE(policy.due(14 * mib, 200));
  EXPECT_TRUE(policy.due(15 * mib, 300));
  policy.trimmed(15 * mib); // what the trim gave back still counts as free
  EXPECT_FALSE(policy.due(18 * mib, 400));
}

TEST(HeapTrimPolicy, CountsFreedMemoryFromTheLeastFreeSinceTheLastTrim) {
  heap_trim_policy policy{4 * mib};
  policy.trimmed(10 * mib);
  EXPECT_FALSE(policy.due(2 * mib, 100)); // a backlog took the freed chunks again
  EXPECT_TRUE(policy.due(7 * mib, 200));  // and freed them: resident again
}

TEST(HeapTrimPolicy, OnceTrafficStopsTrimsWhatWasFreedOnce) {
  heap_trim_policy policy{4 * mib};
  policy.trimmed(10 * mib);
  EXPECT_FALSE(policy.due(13 * mib, 100));
  EXPECT_TRUE(policy.due(13 * mib, 100)); // no frame since the last look
  policy.trimmed(13 * mib);
  EXPECT_FALSE(policy.due(13 * mib, 100)); // nothing more to give back: no trim every second
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool glibc_allocates = false; // ASan's allocator replaces glibc's arenas
#else
constexpr bool glibc_allocates = true;
#endif

// A flood's frames in flight: many small blocks, freed, while one allocated
// after them keeps the heap's top from shrinking by itself.
TEST(HeapTrimmer, GivesBackWhatABurstFreedInTheMiddleOfTheHeap) {
  if (!glibc_allocates) GTEST_SKIP() << "the sanitizer's allocator keeps its own heap";
  constexpr std::size_t blocks = 16384, block_bytes = 2048; // 32 MiB, below the mmap threshold
  std::vector<std::unique_ptr<std::uint8_t[]>> burst;
  for (std::size_t i = 0; i < blocks; ++i) {
    burst.emplace_back(new std::uint8_t[block_bytes]);
    std::memset(burst.back().get(), 0xab, block_bytes); // resident, as a frame's bytes are
  }
  auto pin = std::make_unique<std::uint8_t[]>(block_bytes);
  burst.clear();
  EXPECT_GT(trim_heap(), 16 * mib);
}

} // namespace
} // namespace etherbeam::actors
