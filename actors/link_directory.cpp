#include "actors/link_directory.hpp"

#include <algorithm>

namespace etherbeam::actors {

link_directory::link_directory(std::vector<link> links)
    : links_(std::move(links)),
      identities_(std::make_unique<std::atomic<std::shared_ptr<const stack_identity>>[]>(links_.size())) {
  for (std::size_t i = 0; i < links_.size(); ++i)
    identities_[i].store(std::make_shared<const stack_identity>(links_[i].configured));
}

std::vector<std::string> link_directory::names() const {
  std::vector<std::string> names;
  for (const auto& l : links_) names.push_back(l.name);
  return names;
}

std::vector<link_group> link_directory::bridges() const {
  std::vector<link_group> groups;
  for (link_index i = 0; i < links_.size(); ++i) {
    const auto& bridge = links_[i].configured.bridge;
    if (bridge.empty()) continue;
    auto g = std::find_if(groups.begin(), groups.end(), [&](const link_group& x) { return x.name == bridge; });
    if (g == groups.end()) g = groups.insert(groups.end(), link_group{bridge, {}});
    g->members.push_back(i);
  }
  return groups;
}

} // namespace etherbeam::actors
