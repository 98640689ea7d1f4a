#pragma once
#include <cstdint>

namespace etherbeam::actors {

// Links are numbered in the order configured, from 0 (see actors/link.hpp).
using link_index = std::uint16_t;

} // namespace etherbeam::actors
