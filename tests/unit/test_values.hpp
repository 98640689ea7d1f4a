#pragma once
// Values the unit tests write often, defined once: addresses from text the
// test knows to be valid, and a fixed wall-clock time.
#include <cstdint>

#include "protocols/addresses.hpp"

namespace etherbeam::testing {

inline protocols::ipv4_address ip(const char* text) { return *protocols::ipv4_address::from_string(text); }
inline protocols::mac_address mac(const char* text) { return *protocols::mac_address::from_string(text); }

// 2027-01-15T08:00:00Z: expiries computed from it come out the same every run.
inline constexpr std::int64_t now = 1'800'000'000;

} // namespace etherbeam::testing
