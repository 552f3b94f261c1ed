#include "core/units.hpp"

#include <fmt/format.h>

namespace pgo::core {

std::string pretty_bytes(std::int64_t bytes) {
  const double b = static_cast<double>(bytes);
  if (b >= 1024.0 * 1024 * 1024)
    return fmt::format("{:.1f} GB", b / (1024.0 * 1024 * 1024));
  if (b >= 1024.0 * 1024)
    return fmt::format("{:.1f} MB", b / (1024.0 * 1024));
  return fmt::format("{:.0f} kB", b / 1024.0);
}

} // namespace pgo::core
