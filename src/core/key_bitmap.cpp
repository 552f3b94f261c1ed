#include "core/key_bitmap.hpp"

namespace pgo::core {

std::optional<KeyBitmap> KeyBitmap::for_range(std::uint32_t first, std::uint32_t last, std::size_t max_bytes) {
  if (last < first)
    return std::nullopt;
  const std::uint64_t span = static_cast<std::uint64_t>(last) - first + 1;
  const std::uint64_t words = (span + 63) / 64;
  if (words > max_bytes / sizeof(std::uint64_t))
    return std::nullopt;
  KeyBitmap bitmap;
  bitmap.first_ = first;
  bitmap.span_ = span;
  bitmap.words_.assign(static_cast<std::size_t>(words), 0);
  return bitmap;
}

} // namespace pgo::core
