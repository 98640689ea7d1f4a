#pragma once
// One Ethernet frame, exactly as it was (or will be) on the wire, the bytes
// every message between etherbeam's actors carries. Its buffer comes from a
// process-wide pool of slabs sized for ordinary frames: taking one and giving
// it back is a short lock and a pointer, where a std::vector was a heap
// allocation per frame and another per reply. Larger frames (jumbo) get a
// buffer of their own.
#include <cstddef>
#include <cstdint>
#include <span>

namespace etherbeam::actors {

class frame {
public:
  // Ethernet with two VLAN tags and room to spare; see frame.cpp for the pool.
  static constexpr std::size_t slab_bytes = 2048;

  frame() = default;
  // `size` bytes, not initialised: a buffer to emit into.
  explicit frame(std::size_t size);
  // A copy of `bytes`.
  explicit frame(std::span<const std::uint8_t> bytes);
  // CAF copies a message only when two receivers share it: a deep copy.
  frame(const frame& other);
  frame& operator=(const frame& other);
  frame(frame&& other) noexcept;
  frame& operator=(frame&& other) noexcept;
  ~frame();

  std::span<std::uint8_t> bytes() { return {data_, size_}; }
  std::span<const std::uint8_t> bytes() const { return {data_, size_}; }
  std::size_t size() const { return size_; }
  // Keeps the first n bytes (n <= size()): an emitter's reply length.
  void shrink_to(std::size_t n);

private:
  void release() noexcept;

  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  bool pooled_ = false;
};

// Slabs the pool holds for reuse right now (for tests and counters).
std::size_t pooled_frame_slabs();

} // namespace etherbeam::actors
