#include "actors/verdict.hpp"

namespace etherbeam::actors {

void verdict::record() const {
  if (tally) ++*tally;
  else if (refusing_layer) refusing_layer->by_error[std::size_t(error)].fetch_add(1, std::memory_order_relaxed);
}

std::string verdict::name() const {
  if (tally) return tally->name;
  if (refusing_layer) return "malformed." + refusing_layer->layer + "." + std::string(to_string(error));
  return outcome == kind::pass ? "pass" : "uncounted";
}

} // namespace etherbeam::actors
