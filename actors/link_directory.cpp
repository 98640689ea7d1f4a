#include "actors/link_directory.hpp"

namespace etherbeam::actors {

link_directory::link_directory(std::vector<link> links)
    : links_(std::move(links)),
      identities_(std::make_unique<std::atomic<std::shared_ptr<const stack_identity>>[]>(links_.size())) {
  for (std::size_t i = 0; i < links_.size(); ++i)
    identities_[i].store(std::make_shared<const stack_identity>(links_[i].configured));
}

} // namespace etherbeam::actors
