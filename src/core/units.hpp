// Human-readable sizes for messages ("1.1 MB", "88 kB").
#pragma once

#include "core/postgres_free.hpp"

#include <cstdint>
#include <string>

namespace pgo::core {

std::string pretty_bytes(std::int64_t bytes);

} // namespace pgo::core
