#include "actors/link.hpp"

#include <caf/string_view.hpp>

namespace etherbeam::actors {

caf::atom_value sender_name(link_index link) {
  if (link == 0) return caf::atom("sender");
  return caf::atom_from_string("sender" + std::to_string(link));
}

link_counters::link_counters(counter_registry& r, const std::string& name)
    : frames_in(r.add("link." + name + ".frames_in")), replies_sent(r.add("link." + name + ".replies_sent")),
      replies_dropped(r.add("link." + name + ".replies_dropped")) {}

} // namespace etherbeam::actors
