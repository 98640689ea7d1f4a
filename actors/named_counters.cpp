#include "actors/named_counters.hpp"

namespace etherbeam::actors {

named_counter& counter_registry::add(std::string name, bool shown) {
  for (auto& c : counters_)
    if (c.name == name) return c;
  return counters_.emplace_back(std::move(name), shown);
}

named_counter& counter_registry::add_gauge(std::string name) {
  for (auto& c : counters_)
    if (c.name == name) return c;
  return counters_.emplace_back(std::move(name), false, true);
}

histogram& counter_registry::add_histogram(std::string name, std::vector<std::uint64_t> bounds) {
  for (auto& h : histograms_)
    if (h.name == name) return h;
  return histograms_.emplace_back(std::move(name), std::move(bounds));
}

void counter_registry::for_each(const std::function<void(const named_counter&)>& counters,
                                const std::function<void(std::string_view, std::uint64_t)>& reasons,
                                const std::function<void(const histogram&)>& histograms) const {
  for (const auto& c : counters_) counters(c);
  for (const auto& l : layers_)
    for (std::size_t e = 0; e < l.by_error.size(); ++e)
      reasons("malformed." + l.layer + "." + std::string(to_string(protocols::parse_error(e))), l.by_error[e].load());
  for (const auto& h : histograms_) histograms(h);
}

layer_counters& counter_registry::add_layer(std::string layer) {
  for (auto& l : layers_)
    if (l.layer == layer) return l;
  return layers_.emplace_back(std::move(layer));
}

void counter_registry::add_rendering(std::function<void(std::ostream&)> render) {
  renderings_.push_back(std::move(render));
}

void counter_registry::render(std::ostream& out) const {
  for (const auto& c : counters_)
    if (auto v = c.value.load(); v && c.shown) out << ' ' << c.name << '=' << v;
  for (const auto& r : renderings_) r(out);
  for (const auto& l : layers_)
    for (std::size_t e = 0; e < l.by_error.size(); ++e)
      if (auto v = l.by_error[e].load())
        out << " malformed." << l.layer << '.' << to_string(protocols::parse_error(e)) << '=' << v;
}

std::uint64_t counter_registry::value(std::string_view name) const {
  for (const auto& c : counters_)
    if (c.name == name) return c.value.load();
  for (const auto& l : layers_)
    for (std::size_t e = 0; e < l.by_error.size(); ++e)
      if (name == "malformed." + l.layer + "." + std::string(to_string(protocols::parse_error(e))))
        return l.by_error[e].load();
  return 0;
}

} // namespace etherbeam::actors
