#include "core/latency_histogram.hpp"

#include <algorithm>
#include <cmath>

namespace pgo::core {

double percentile(const std::uint64_t *counts, std::size_t buckets, double (*value_of)(std::size_t), double q,
                  double max_value) {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < buckets; i++)
    total += counts[i];
  if (total == 0)
    return -1;
  q = std::clamp(q, 0.0, 1.0);
  // rank of the wanted value, 1-based: the smallest value for q = 0, the largest for q = 1
  // (the epsilon keeps 0.95 * 100 = 95.000000000000014 from becoming rank 96)
  const auto rank =
      std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total) - 1e-9)));
  if (rank >= total)
    return max_value; // the largest value is known exactly
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets; i++) {
    seen += counts[i];
    if (seen >= rank)
      return std::min(value_of(i), max_value);
  }
  return max_value;
}

void merge_counts(std::uint64_t *counts, const std::uint64_t *other, std::size_t buckets) {
  for (std::size_t i = 0; i < buckets; i++)
    counts[i] += other[i];
}

} // namespace pgo::core
