#include "core/latency_histogram.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

using pgo::core::CoarseLatencyScale;
using pgo::core::FineLatencyScale;
using pgo::core::LogLinearScale;

namespace {

// The nearest-rank q-quantile of a sorted vector: the ceil(q * n)-th smallest value.
double exact_percentile(const std::vector<std::uint64_t> &sorted, double q) {
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size()) - 1e-9));
  return static_cast<double>(sorted[std::max<std::size_t>(rank, 1) - 1]);
}

template <typename Scale> std::vector<std::uint64_t> counts_of(const std::vector<std::uint64_t> &values) {
  std::vector<std::uint64_t> counts(Scale::kBuckets, 0);
  for (std::uint64_t v : values)
    counts[Scale::index(v)]++;
  return counts;
}

} // namespace

TEST(LatencyHistogram, SmallValuesHaveABucketEach) {
  for (std::uint64_t v = 0; v < 64; v++) {
    EXPECT_EQ(FineLatencyScale::index(v), v);
    EXPECT_EQ(FineLatencyScale::lower(v), v);
    EXPECT_EQ(FineLatencyScale::upper(v), v);
  }
  EXPECT_EQ(FineLatencyScale::index(64), 64u);
  EXPECT_EQ(FineLatencyScale::index(127), 127u);
  EXPECT_EQ(FineLatencyScale::index(128), 128u); // [128, 129]
  EXPECT_EQ(FineLatencyScale::index(129), 128u);
  EXPECT_EQ(FineLatencyScale::index(130), 129u);
}

TEST(LatencyHistogram, BucketsTileTheRangeWithoutGapsOrOverlap) {
  using S = FineLatencyScale;
  EXPECT_EQ(S::lower(0), 0u);
  for (std::size_t i = 0; i + 1 < S::kBuckets; i++) {
    ASSERT_EQ(S::upper(i) + 1, S::lower(i + 1)) << i;
    ASSERT_EQ(S::index(S::lower(i)), i) << i;
    ASSERT_EQ(S::index(S::upper(i)), i) << i;
  }
  EXPECT_EQ(S::upper(S::kBuckets - 1), S::kMaxValue);
  EXPECT_EQ(S::kBuckets, 2240u);
  EXPECT_EQ(CoarseLatencyScale::kBuckets, 156u);
}

TEST(LatencyHistogram, HugeValuesLandInTheTopBucket) {
  using S = FineLatencyScale;
  EXPECT_EQ(S::index(S::kMaxValue), S::kBuckets - 1);
  EXPECT_EQ(S::index(S::kMaxValue + 1), S::kBuckets - 1);
  EXPECT_EQ(S::index(UINT64_MAX), S::kBuckets - 1);
  EXPECT_EQ(CoarseLatencyScale::index(UINT64_MAX), CoarseLatencyScale::kBuckets - 1);
}

TEST(LatencyHistogram, RelativeErrorIsBoundedEverywhere) {
  using S = FineLatencyScale;
  std::mt19937_64 rng(42);
  for (int e = 0; e < 40; e++) {
    for (int k = 0; k < 200; k++) {
      const std::uint64_t v = (std::uint64_t{1} << e) + rng() % (std::uint64_t{1} << e);
      const double rep = S::representative(S::index(v));
      ASSERT_LE(std::abs(rep - static_cast<double>(v)) / static_cast<double>(v), S::relative_error()) << v;
    }
  }
  EXPECT_LT(S::relative_error(), 0.008);
  // bucket width never exceeds 1/64 of its lower bound
  for (std::size_t i = 64; i < S::kBuckets; i++)
    ASSERT_LE(static_cast<double>(S::upper(i) - S::lower(i) + 1) / static_cast<double>(S::lower(i)), 1.0 / 64);
}

TEST(LatencyHistogram, PercentilesMatchAnExactSortOnRandomData) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> latency(std::log(20000.0), 1.0); // median 20 ms, in microseconds
  for (int trial = 0; trial < 20; trial++) {
    std::vector<std::uint64_t> values(1000 + trial * 997);
    for (auto &v : values)
      v = static_cast<std::uint64_t>(latency(rng));
    const auto counts = counts_of<FineLatencyScale>(values);
    std::sort(values.begin(), values.end());
    const double max = static_cast<double>(values.back());
    for (double q : {0.5, 0.9, 0.95, 0.99, 1.0}) {
      const double exact = exact_percentile(values, q);
      const double got = pgo::core::percentile_of<FineLatencyScale>(counts.data(), q, max);
      ASSERT_LE(std::abs(got - exact) / exact, FineLatencyScale::relative_error()) << "q=" << q << " trial " << trial;
    }
    EXPECT_EQ(pgo::core::percentile_of<FineLatencyScale>(counts.data(), 1.0, max), max);
  }
}

TEST(LatencyHistogram, CoarsePercentilesStayWithinTheirBound) {
  std::mt19937_64 rng(11);
  std::exponential_distribution<double> latency(1.0 / 5000.0);
  std::vector<std::uint64_t> values(5000);
  for (auto &v : values)
    v = 1 + static_cast<std::uint64_t>(latency(rng));
  const auto counts = counts_of<CoarseLatencyScale>(values);
  std::sort(values.begin(), values.end());
  const double exact = exact_percentile(values, 0.95);
  const double got =
      pgo::core::percentile_of<CoarseLatencyScale>(counts.data(), 0.95, static_cast<double>(values.back()));
  EXPECT_LE(std::abs(got - exact) / exact, CoarseLatencyScale::relative_error());
}

TEST(LatencyHistogram, PercentileEdgeCases) {
  std::vector<std::uint64_t> counts(FineLatencyScale::kBuckets, 0);
  EXPECT_EQ(pgo::core::percentile_of<FineLatencyScale>(counts.data(), 0.95, 0), -1);
  counts[FineLatencyScale::index(0)] = 3;
  EXPECT_EQ(pgo::core::percentile_of<FineLatencyScale>(counts.data(), 0.95, 0), 0);
  // 100 values: the 95th smallest is p95 (nearest rank), not the 96th
  std::vector<std::uint64_t> values;
  for (std::uint64_t v = 1; v <= 100; v++)
    values.push_back(v);
  const auto c = counts_of<FineLatencyScale>(values);
  EXPECT_EQ(pgo::core::percentile_of<FineLatencyScale>(c.data(), 0.95, 100), 95);
  EXPECT_EQ(pgo::core::percentile_of<FineLatencyScale>(c.data(), 0.5, 100), 50);
  // the top of a bucket is capped by the largest value seen
  std::vector<std::uint64_t> one(FineLatencyScale::kBuckets, 0);
  one[FineLatencyScale::index(1000)] = 1;
  EXPECT_EQ(pgo::core::percentile_of<FineLatencyScale>(one.data(), 0.99, 1000), 1000);
}

TEST(LatencyHistogram, MergeAddsBucketByBucket) {
  std::vector<std::uint64_t> a{1, 2, 3}, b{10, 0, 5};
  pgo::core::merge_counts(a.data(), b.data(), 3);
  EXPECT_EQ(a, (std::vector<std::uint64_t>{11, 2, 8}));
  const std::vector<std::uint64_t> none(LogLinearScale<1, 4>::kBuckets, 0);
  const auto rows = pgo::core::nonempty_buckets<LogLinearScale<1, 4>>(none.data());
  EXPECT_TRUE(rows.empty());
}

TEST(LatencyHistogram, NonEmptyBucketsReportBoundsAndCounts) {
  using S = LogLinearScale<1, 4>; // buckets [0] [1] [2] [3] [4,5] [6,7] [8..11] [12..15] ... top clamps at 31
  EXPECT_EQ(S::kBuckets, 10u);
  std::vector<std::uint64_t> counts(S::kBuckets, 0);
  counts[S::index(5)]++;
  counts[S::index(4)]++;
  counts[S::index(1000)]++;
  const auto rows = pgo::core::nonempty_buckets<S>(counts.data());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].lower, 4u);
  EXPECT_EQ(rows[0].upper, 5u);
  EXPECT_EQ(rows[0].count, 2u);
  EXPECT_EQ(rows[1].lower, 24u);
  EXPECT_EQ(rows[1].upper, 31u);
}
