#pragma once
// The links etherbeam serves, as an application that acts across links sees
// them (a router takes a packet in on one and sends it out of another): each
// link's name, where its raw_binder listens, and who etherbeam is there — the
// configured identity until ingress learns the MAC and MTU from raw_binder's
// link file, then that. Ingress publishes; any thread reads.
#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "actors/link_index.hpp"
#include "actors/stack_identity.hpp"

namespace etherbeam::actors {

class link_directory {
public:
  struct link {
    std::string name;
    std::filesystem::path binder_socket;
    stack_identity configured;
  };

  explicit link_directory(std::vector<link> links);

  std::size_t size() const { return links_.size(); }
  const link& at(link_index i) const { return links_.at(i); }
  std::shared_ptr<const stack_identity> identity(link_index i) const { return identities_[i].load(); }
  void publish(link_index i, std::shared_ptr<const stack_identity> identity) { identities_[i].store(std::move(identity)); }

  // Every link's name, in link_index order.
  std::vector<std::string> names() const;
  // The named bridges and their members (stack_identity::bridge).
  std::vector<link_group> bridges() const;

private:
  std::vector<link> links_;
  std::unique_ptr<std::atomic<std::shared_ptr<const stack_identity>>[]> identities_;
};

} // namespace etherbeam::actors
