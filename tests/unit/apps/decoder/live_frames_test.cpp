// The live tap's messages: frames packed behind headers, read back as sent.
#include "apps/decoder/live_frames.hpp"

#include <gtest/gtest.h>

using namespace etherbeam::apps::decoder;

TEST(live_frames, reads_back_each_packed_frame_with_its_header) {
  std::string message;
  live_frame_header in;
  in.link = 2;
  in.lost = 7;
  in.microseconds = 1'764'700'000'123'456;
  append_live_frame(message, in, std::string("\xff\xff\xff\xff\xff\xff\x02\x00", 8));
  live_frame_header out;
  out.outbound = 1;
  append_live_frame(message, out, std::string(60, '\x5a'));
  ASSERT_EQ(message.size(), 2 * sizeof(live_frame_header) + 8 + 60);

  auto frames = read_live_messages(message);
  ASSERT_EQ(frames.size(), 2u);
  ASSERT_TRUE(frames[0].header);
  EXPECT_EQ(frames[0].header->link, 2);
  EXPECT_EQ(frames[0].header->lost, 7u);
  EXPECT_EQ(frames[0].header->microseconds, 1'764'700'000'123'456u);
  EXPECT_EQ(frames[0].header->outbound, 0);
  EXPECT_EQ(frames[0].bytes, std::string_view("\xff\xff\xff\xff\xff\xff\x02\x00", 8));
  EXPECT_EQ(frames[1].header->outbound, 1);
  EXPECT_EQ(frames[1].bytes.size(), 60u);
}

TEST(live_frames, stops_at_a_frame_cut_short) {
  std::string message;
  append_live_frame(message, {}, std::string(42, 'a'));
  append_live_frame(message, {}, std::string(42, 'b'));
  message.resize(message.size() - 1);
  auto frames = read_live_messages(message);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].bytes, std::string(42, 'a'));
}

TEST(live_frames, the_links_message_has_no_header) {
  auto frames = read_live_messages("links main,lan2");
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_FALSE(frames[0].header);
  EXPECT_EQ(frames[0].bytes, "main,lan2");
}

TEST(live_budget, gives_a_tenth_of_the_rate_each_100_ms_then_waits_for_the_next_window) {
  using namespace std::chrono_literals;
  live_budget budget(1000);
  live_budget::clock::time_point t{1s};
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(budget.take(t));
  EXPECT_FALSE(budget.take(t + 50ms));
  EXPECT_TRUE(budget.spent(t + 50ms));
  EXPECT_EQ(budget.window_end(), t + 100ms);
  EXPECT_FALSE(budget.spent(t + 100ms));
  EXPECT_TRUE(budget.take(t + 100ms));
}

TEST(live_budget, zero_is_no_limit) {
  live_budget budget(0);
  live_budget::clock::time_point t{};
  for (int i = 0; i < 100'000; ++i) ASSERT_TRUE(budget.take(t));
  EXPECT_FALSE(budget.spent(t));
}
