// RAII buffer aligned for O_DIRECT and DMA.
#ifndef ZGC_SRC_BASE_ALIGNED_BUFFER_H_
#define ZGC_SRC_BASE_ALIGNED_BUFFER_H_

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <span>

namespace zgc {

class AlignedBuffer {
 public:
  static constexpr size_t kAlign = 4096;
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t size)
      : size_(size),
        data_(static_cast<std::byte*>(std::aligned_alloc(kAlign, RoundUp(size ? size : 1)))) {}

  std::byte* data() { return data_.get(); }
  const std::byte* data() const { return data_.get(); }
  size_t size() const { return size_; }
  bool valid() const { return data_ != nullptr; }
  std::span<std::byte> span() { return {data_.get(), size_}; }

  static bool IsAligned(const void* p) { return reinterpret_cast<uintptr_t>(p) % kAlign == 0; }

 private:
  static size_t RoundUp(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }
  struct Free {
    void operator()(std::byte* p) const { std::free(p); }
  };
  size_t size_ = 0;
  std::unique_ptr<std::byte[], Free> data_;
};

}  // namespace zgc

#endif  // ZGC_SRC_BASE_ALIGNED_BUFFER_H_
