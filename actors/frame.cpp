#include "actors/frame.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace etherbeam::actors {

namespace {

// Slabs kept for reuse: 1024 (2 MiB), in one block of their own. A burst that
// needs more (up to max_frames_in_flight) takes them from the heap and gives
// every one back. Were the kept slabs the heap's, each would pin the pages
// around it that the burst's actors and messages had used (measured: 7 MiB
// of a flooded heap stayed resident for 2 MiB of slabs after malloc_trim).
constexpr std::size_t pooled_slabs = 1024;

class slab_pool {
public:
  std::uint8_t* take() {
    {
      std::lock_guard<std::mutex> guard{lock_};
      if (!free_.empty()) {
        auto* slab = free_.back();
        free_.pop_back();
        return slab;
      }
    }
    return new std::uint8_t[frame::slab_bytes];
  }

  void give_back(std::uint8_t* slab) noexcept {
    auto offset = reinterpret_cast<std::uintptr_t>(slab) - reinterpret_cast<std::uintptr_t>(block_.get());
    if (offset >= pooled_slabs * frame::slab_bytes) { // below the block wraps around: also outside
      delete[] slab;
      return;
    }
    std::lock_guard<std::mutex> guard{lock_};
    free_.push_back(slab); // reserved: never allocates under the lock
  }

  std::size_t pooled() {
    std::lock_guard<std::mutex> guard{lock_};
    return free_.size();
  }

  // The block is mapped, not touched: a slab's pages become resident when
  // first used, so a quiet server holds only the few it cycles through.
  slab_pool() : block_(new std::uint8_t[pooled_slabs * frame::slab_bytes]) {
    free_.reserve(pooled_slabs);
    for (std::size_t i = pooled_slabs; i-- > 0;) free_.push_back(block_.get() + i * frame::slab_bytes);
  }

private:
  std::mutex lock_;
  std::unique_ptr<std::uint8_t[]> block_;
  std::vector<std::uint8_t*> free_;
};

slab_pool& pool() {
  static slab_pool instance; // outlives every frame: frames die with actors, before exit
  return instance;
}

} // namespace

frame::frame(std::size_t size) : size_(size), pooled_(size <= slab_bytes) {
  data_ = pooled_ ? pool().take() : new std::uint8_t[size];
}

frame::frame(std::span<const std::uint8_t> bytes) : frame(bytes.size()) {
  if (!bytes.empty()) std::memcpy(data_, bytes.data(), bytes.size());
}

frame::frame(const frame& other) : frame(other.bytes()) {}

frame& frame::operator=(const frame& other) {
  if (this != &other) *this = frame(other);
  return *this;
}

frame::frame(frame&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)),
      pooled_(std::exchange(other.pooled_, false)) {}

frame& frame::operator=(frame&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    pooled_ = std::exchange(other.pooled_, false);
  }
  return *this;
}

frame::~frame() { release(); }

void frame::shrink_to(std::size_t n) { size_ = std::min(n, size_); }

void frame::release() noexcept {
  if (!data_) return;
  if (pooled_) pool().give_back(data_);
  else delete[] data_;
  data_ = nullptr;
  size_ = 0;
}

std::size_t pooled_frame_slabs() { return pool().pooled(); }

} // namespace etherbeam::actors
