#pragma once
// Options for tests, written as a config names them and encoded by the
// option table, and options looked up in what the server decided or sent.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "apps/dhcp/dhcp_server.hpp"
#include "protocols/dhcp_option_defs.hpp"

namespace etherbeam::apps::dhcp::test_options {

inline raw_option named(std::string_view name, std::vector<std::string> items) {
  const auto* def = protocols::find_dhcp_option(name);
  EXPECT_NE(def, nullptr) << name;
  auto value = protocols::encode_dhcp_option(*def, items);
  EXPECT_TRUE(std::holds_alternative<std::vector<std::uint8_t>>(value)) << name;
  return {def->code, std::get<std::vector<std::uint8_t>>(value)};
}

// The decided options' codes, in the order they would be sent.
inline std::vector<int> codes(const dhcp_outcome& o) {
  std::vector<int> out;
  for (const auto& x : o.extra_options) out.push_back(x.code);
  return out;
}

// An option the server decided to send, decoded by the table; nullopt if absent.
inline std::optional<std::string> decided(const dhcp_outcome& o, std::string_view name) {
  const auto* def = protocols::find_dhcp_option(name);
  for (const auto& x : o.extra_options)
    if (x.code == def->code) return protocols::decode_dhcp_option(*def, x.value).value_or("(not its type)");
  return std::nullopt;
}

// An option in a DHCP message as sent (any area, joined), decoded by the table.
inline std::optional<std::string> sent(protocols::byte_view dhcp_message, std::string_view name) {
  auto p = protocols::dhcp_packet::check(dhcp_message);
  if (!p) return std::nullopt;
  auto areas = protocols::dhcp_option_areas::check(p->options(), p->file(), p->sname());
  if (!areas) return std::nullopt;
  const auto* def = protocols::find_dhcp_option(name);
  std::array<std::uint8_t, 255 * 3> joined;
  auto value = areas->joined(def->code, joined);
  if (!value) return std::nullopt;
  return protocols::decode_dhcp_option(*def, *value).value_or("(not its type)");
}

} // namespace etherbeam::apps::dhcp::test_options
