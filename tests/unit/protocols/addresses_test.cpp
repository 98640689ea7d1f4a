#include "protocols/addresses.hpp"

#include <gtest/gtest.h>

using namespace etherbeam::protocols;

TEST(mac_address, parses_and_prints_colon_form) {
  auto m = mac_address::from_string("02:00:5E:10:00:01");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->to_string(), "02:00:5e:10:00:01");
  EXPECT_FALSE(m->is_group());
}

TEST(mac_address, accepts_dashes_and_refuses_garbage) {
  EXPECT_TRUE(mac_address::from_string("02-00-5e-10-00-01"));
  EXPECT_FALSE(mac_address::from_string("02:00:5e:10:00"));
  EXPECT_FALSE(mac_address::from_string("02:00:5e:10:00:0g"));
  EXPECT_FALSE(mac_address::from_string("02:00:5e:10:00:011"));
}

TEST(mac_address, knows_group_and_broadcast) {
  EXPECT_TRUE(mac_address::broadcast().is_broadcast());
  EXPECT_TRUE(mac_address::from_string("01:00:5e:00:00:01")->is_group());
}

TEST(ipv4_address, parses_dotted_quads_strictly) {
  EXPECT_EQ(ipv4_address::from_string("10.77.0.2")->value, 0x0a4d0002u);
  EXPECT_EQ(ipv4_address::from_string("255.255.255.255")->value, 0xffffffffu);
  EXPECT_FALSE(ipv4_address::from_string("10.77.0"));
  EXPECT_FALSE(ipv4_address::from_string("10.77.0.256"));
  EXPECT_FALSE(ipv4_address::from_string("10.77.0.2.1"));
  EXPECT_FALSE(ipv4_address::from_string("10.077.0.2"));
  EXPECT_FALSE(ipv4_address::from_string("10..0.2"));
  EXPECT_EQ(ipv4_address{0x0a4d0002}.to_string(), "10.77.0.2");
}

TEST(ipv4_interface, derives_netmask_and_directed_broadcast) {
  auto i = ipv4_interface::from_string("10.77.0.2/24");
  ASSERT_TRUE(i);
  EXPECT_EQ(i->netmask(), 0xffffff00u);
  EXPECT_EQ(i->directed_broadcast().to_string(), "10.77.0.255");
  EXPECT_EQ(ipv4_interface::from_string("10.0.0.1/0")->netmask(), 0u);
  EXPECT_FALSE(ipv4_interface::from_string("10.77.0.2/33"));
  EXPECT_FALSE(ipv4_interface::from_string("10.77.0.2"));
}
