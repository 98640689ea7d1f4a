#include "actors/frame.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

#include "actors/frame_tap.hpp"

using etherbeam::actors::frame;

namespace {

std::vector<std::uint8_t> pattern(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return v;
}

bool same(const frame& f, const std::vector<std::uint8_t>& v) {
  return std::equal(f.bytes().begin(), f.bytes().end(), v.begin(), v.end());
}

} // namespace

TEST(Frame, HoldsACopyOfItsBytes) {
  auto bytes = pattern(98);
  frame f{std::span<const std::uint8_t>(bytes)};
  bytes[0] ^= 0xff;
  EXPECT_EQ(f.size(), 98u);
  EXPECT_FALSE(same(f, bytes));
  bytes[0] ^= 0xff;
  EXPECT_TRUE(same(f, bytes));
}

TEST(Frame, CopiesAreDeepAndMovesLeaveTheSourceEmpty) {
  auto bytes = pattern(1514);
  frame a{std::span<const std::uint8_t>(bytes)};
  frame b = a;
  EXPECT_NE(a.bytes().data(), b.bytes().data());
  EXPECT_TRUE(same(b, bytes));
  frame c = std::move(a);
  EXPECT_EQ(a.size(), 0u);
  EXPECT_TRUE(same(c, bytes));
  b = c;
  c = frame{};
  EXPECT_TRUE(same(b, bytes));
}

TEST(Frame, ShrinkKeepsTheFirstBytes) {
  auto bytes = pattern(200);
  frame f{std::span<const std::uint8_t>(bytes)};
  f.shrink_to(60);
  EXPECT_EQ(f.size(), 60u);
  EXPECT_TRUE(std::equal(f.bytes().begin(), f.bytes().end(), bytes.begin()));
  f.shrink_to(500); // never grows
  EXPECT_EQ(f.size(), 60u);
}

TEST(Frame, ASlabGivenBackIsTakenAgain) {
  const std::uint8_t* first;
  {
    frame f{std::size_t{64}};
    first = f.bytes().data();
  }
  auto pooled = etherbeam::actors::pooled_frame_slabs();
  EXPECT_GE(pooled, 1u);
  frame again{std::size_t{1500}};
  EXPECT_EQ(again.bytes().data(), first); // the last slab given back comes first
  EXPECT_EQ(etherbeam::actors::pooled_frame_slabs(), pooled - 1);
}

TEST(Frame, JumboFramesGetABufferOfTheirOwn) {
  auto bytes = pattern(9000);
  auto pooled = etherbeam::actors::pooled_frame_slabs();
  {
    frame f{std::span<const std::uint8_t>(bytes)};
    EXPECT_TRUE(same(f, bytes));
    frame copy = f;
    EXPECT_TRUE(same(copy, bytes));
  }
  EXPECT_EQ(etherbeam::actors::pooled_frame_slabs(), pooled);
}

TEST(Frame, TakenOnOneThreadGivenBackOnAnother) {
  // Ingress takes the slabs, frame actors on scheduler threads give them back.
  std::vector<frame> frames;
  for (int i = 0; i < 4000; ++i) frames.emplace_back(std::size_t{100});
  std::thread a([&] { for (int i = 0; i < 2000; ++i) frames[i] = frame{}; });
  std::thread b([&] { for (int i = 2000; i < 4000; ++i) frames[i] = frame{}; });
  a.join();
  b.join();
  // The pool keeps at most 1024 slabs; the rest went back to the heap.
  EXPECT_LE(etherbeam::actors::pooled_frame_slabs(), 1024u);
  EXPECT_GE(etherbeam::actors::pooled_frame_slabs(), 1000u);
}

TEST(Frame, KeptSlabsLieInOneBlockSoThatABurstsHeapIsFreedWhole) {
  std::vector<frame> burst;
  for (int i = 0; i < 3000; ++i) burst.emplace_back(std::size_t{100});
  burst.clear();
  EXPECT_EQ(etherbeam::actors::pooled_frame_slabs(), 1024u); // every kept slab is back, no more
  std::vector<std::uintptr_t> kept;
  for (int i = 0; i < 1024; ++i) burst.emplace_back(std::size_t{100});
  for (auto& f : burst) kept.push_back(reinterpret_cast<std::uintptr_t>(f.bytes().data()));
  auto [low, high] = std::minmax_element(kept.begin(), kept.end());
  EXPECT_EQ(*high - *low, 1023u * frame::slab_bytes);
}

TEST(frame_tap, copies_only_while_listened_to_and_loses_what_does_not_fit) {
  using etherbeam::actors::tap_direction;
  auto& tap = etherbeam::actors::frame_tap::of_process();
  std::vector<std::uint8_t> bytes(60, 1);
  tap.copy(0, tap_direction::in, bytes);
  auto recorder = tap.listen(2);
  auto live = tap.listen(8);
  EXPECT_TRUE(recorder->take().empty()) << "nothing copied before listening";
  for (int i = 0; i < 3; ++i) tap.copy(1, tap_direction::out, bytes);
  auto taken = recorder->take();
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0].link, 1);
  EXPECT_EQ(taken[0].direction, tap_direction::out);
  EXPECT_EQ(taken[0].bytes, bytes);
  EXPECT_EQ(recorder->lost(), 1u) << "the third found its queue full";
  EXPECT_EQ(live->take().size(), 3u) << "each listener has its own queue";
  tap.stop(recorder);
  EXPECT_TRUE(tap.listening());
  tap.stop(live);
  EXPECT_FALSE(tap.listening());
}

TEST(frame_tap, a_listener_with_a_rate_gets_no_more_copies_a_tenth_of_a_second) {
  using etherbeam::actors::tap_direction;
  auto& tap = etherbeam::actors::frame_tap::of_process();
  std::vector<std::uint8_t> bytes(60, 2);
  auto reader = tap.listen(1000, 50); // 5 a tenth of a second
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 40; ++i) tap.copy(0, tap_direction::in, bytes);
  auto taken = reader->take().size();
  if (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(100)) { // one window: the usual case
    EXPECT_EQ(taken, 5u);
    EXPECT_EQ(reader->lost(), 35u) << "the copies not made are counted";
  }
  EXPECT_LE(taken, 10u) << "at most two windows' worth, however slow this machine";
  std::this_thread::sleep_for(std::chrono::milliseconds(110)); // the next window: waiting for time itself
  tap.copy(0, tap_direction::in, bytes);
  EXPECT_EQ(reader->take().size(), 1u) << "a new window lets copies through again";
  tap.stop(reader);
}
