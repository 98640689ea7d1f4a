#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace etherbeam::actors {

// Links are numbered in the order configured, from 0 (see actors/link.hpp).
using link_index = std::uint16_t;

// A name that stands for several links: a bridge's (`[apps.bridge] name`),
// by which firewall rules match any of its members.
struct link_group {
  std::string name;
  std::vector<link_index> members;
};

} // namespace etherbeam::actors
