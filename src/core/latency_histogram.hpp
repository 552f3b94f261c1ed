// Log-linear latency histograms (the HdrHistogram idea): each power of two is split into 2^SubBits equal buckets,
// so a bucket is never wider than 1/2^SubBits of its lower bound and the bucket of a value is computed from its
// highest set bit, never searched. Values below 2^SubBits get a bucket each (exact). Values above the top bucket's
// range are counted in the top bucket.
//
// PostgreSQL-free: the server keeps the counts in shared memory; this file knows only how values map to buckets and
// how percentiles come back out of counts.
#pragma once

#include "core/postgres_free.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pgo::core {

template <unsigned SubBits, unsigned MaxExponent> struct LogLinearScale {
  static_assert(SubBits >= 1 && SubBits < MaxExponent && MaxExponent < 63, "bad scale");
  static constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << SubBits;
  // The largest value with a bucket of its own: every value above lands in the top bucket.
  static constexpr std::uint64_t kMaxValue = (std::uint64_t{1} << (MaxExponent + 1)) - 1;
  static constexpr std::size_t kBuckets = (MaxExponent - SubBits + 2) * kSubBuckets;

  static constexpr std::size_t index(std::uint64_t value) {
    if (value > kMaxValue)
      value = kMaxValue;
    if (value < kSubBuckets)
      return static_cast<std::size_t>(value);
    const unsigned exponent = 63u - static_cast<unsigned>(__builtin_clzll(value));
    const unsigned shift = exponent - SubBits;
    return static_cast<std::size_t>((shift + 1) * kSubBuckets + ((value >> shift) - kSubBuckets));
  }
  // Smallest value of bucket i.
  static constexpr std::uint64_t lower(std::size_t i) {
    if (i < kSubBuckets)
      return i;
    const std::uint64_t shift = i / kSubBuckets - 1;
    return (kSubBuckets + i % kSubBuckets) << shift;
  }
  // Largest value of bucket i (inclusive).
  static constexpr std::uint64_t upper(std::size_t i) { return i + 1 >= kBuckets ? kMaxValue : lower(i + 1) - 1; }
  // The value reported for bucket i: exact below 2^SubBits, else the middle of the bucket, which keeps the relative
  // error within 1/2^(SubBits+1).
  static constexpr double representative(std::size_t i) {
    if (i < kSubBuckets)
      return static_cast<double>(i);
    return (static_cast<double>(lower(i)) + static_cast<double>(upper(i))) / 2.0;
  }
  // Bound on |reported - true| / true for any value up to kMaxValue.
  static constexpr double relative_error() { return 1.0 / static_cast<double>(kSubBuckets * 2); }
};

// The scale of the per-database histograms: microseconds, 64 buckets per power of two (reported values within 0.8%
// of the true one), up to 2^40 us (12.7 days). 2240 buckets.
using FineLatencyScale = LogLinearScale<6, 39>;
// The per-query histograms: 4 buckets per power of two (within 12.5%), same range. 156 buckets.
using CoarseLatencyScale = LogLinearScale<2, 39>;

// The q-quantile (0 < q <= 1) of the values counted in `counts` (one count per bucket of the scale that `value_of`
// describes): the value of the bucket holding the ceil(q * total)-th smallest value, capped at `max_value` (the
// largest value seen, known exactly). nullopt-like: returns -1 when there are no values.
double percentile(const std::uint64_t *counts, std::size_t buckets, double (*value_of)(std::size_t), double q,
                  double max_value);

template <typename Scale> double percentile_of(const std::uint64_t *counts, double q, double max_value) {
  return percentile(counts, Scale::kBuckets, &Scale::representative, q, max_value);
}

// counts += other, bucket by bucket.
void merge_counts(std::uint64_t *counts, const std::uint64_t *other, std::size_t buckets);

// Non-empty buckets as (lower, upper, count) rows, for plotting.
struct BucketRow {
  std::uint64_t lower = 0;
  std::uint64_t upper = 0;
  std::uint64_t count = 0;
};
template <typename Scale> std::vector<BucketRow> nonempty_buckets(const std::uint64_t *counts) {
  std::vector<BucketRow> rows;
  for (std::size_t i = 0; i < Scale::kBuckets; i++)
    if (counts[i] != 0)
      rows.push_back(BucketRow{Scale::lower(i), Scale::upper(i), counts[i]});
  return rows;
}

} // namespace pgo::core
