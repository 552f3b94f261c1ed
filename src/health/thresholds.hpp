// The severity a value earns against a warning and a critical threshold (settings come in such pairs; a critical
// level set below the warning level still means critical).
#pragma once

#include <algorithm>

namespace pgo::health {

// "critical", "warning", or `below` when the value reaches neither threshold.
inline const char *severity_of(double value, double warning, double critical, const char *below) {
  if (value >= std::max(warning, critical))
    return "critical";
  if (value >= warning)
    return "warning";
  return below;
}

} // namespace pgo::health
