#include "core/gin_size.hpp"

#include <gtest/gtest.h>

using pgo::core::estimate_gin_index_size;
using pgo::core::gin_entries_per_row;
using pgo::core::GinKeys;
using pgo::core::IndexSize;

// The bench's million stories (bench/run-index-advisor, PostgreSQL 15): a GIN index built on each, its pages, and
// the average width ANALYZE gives the column (the text under to_tsvector for the full-text index).
struct Built {
  GinKeys keys;
  double width;
  double entries; // what one row really puts in the index
  double pages;   // pg_relation_size / 8192 of the built index
};
constexpr Built kStoryMetadata{GinKeys::JsonbKeysAndValues, 72, 6, 1867}; // {"mood": .., "trip": .., "weather": ..}
constexpr Built kStoryMetadataPaths{GinKeys::JsonbPaths, 72, 3, 1418};    // the same, jsonb_path_ops
constexpr Built kStoryContent{GinKeys::TextWords, 80, 10, 1790};          // to_tsvector('english', content)

TEST(GinSize, EntriesPerRowFromTheWidthAreNearTheRealCount) {
  for (const Built &b : {kStoryMetadata, kStoryMetadataPaths, kStoryContent}) {
    const double e = gin_entries_per_row(b.keys, b.width);
    EXPECT_GT(e, b.entries * 0.75) << static_cast<int>(b.keys);
    EXPECT_LT(e, b.entries * 1.25) << static_cast<int>(b.keys);
  }
  EXPECT_DOUBLE_EQ(gin_entries_per_row(GinKeys::JsonbKeysAndValues, 72),
                   2 * gin_entries_per_row(GinKeys::JsonbPaths, 72));
}

TEST(GinSize, AtLeastOneEntryPerRow) {
  for (GinKeys k : {GinKeys::JsonbKeysAndValues, GinKeys::JsonbPaths, GinKeys::TextWords, GinKeys::TsVector,
                    GinKeys::ArrayElements, GinKeys::Trigrams, GinKeys::Other})
    EXPECT_DOUBLE_EQ(gin_entries_per_row(k, 0), 1.0);
  EXPECT_DOUBLE_EQ(gin_entries_per_row(GinKeys::Other, 500), 1.0);
}

TEST(GinSize, BuiltIndexesOfTheBenchWithinAThird) {
  // Before this estimate (half the column width plus 4 bytes a row): 38 MB for story_metadata where 15 MB were built.
  for (const Built &b : {kStoryMetadata, kStoryContent}) {
    const IndexSize s = estimate_gin_index_size(1e6, gin_entries_per_row(b.keys, b.width));
    EXPECT_GT(s.pages, b.pages * 0.67) << static_cast<int>(b.keys);
    EXPECT_LT(s.pages, b.pages * 1.33) << static_cast<int>(b.keys);
    EXPECT_EQ(s.tree_height, -1);
  }
}

TEST(GinSize, EmptyTableIsMetapageAndRoot) {
  EXPECT_EQ(estimate_gin_index_size(0, 5).pages, 2);
  EXPECT_EQ(estimate_gin_index_size(-3, 5).bytes(), 2 * 8192);
}

TEST(GinSize, TwoBytesAnEntryBesidesTheFixedPages) {
  // 100000 rows of 4 entries: 800000 bytes on pages of 8160 usable bytes.
  EXPECT_EQ(estimate_gin_index_size(100000, 4).pages, 99 + 2);
  EXPECT_EQ(estimate_gin_index_size(100000, 0.5).pages, estimate_gin_index_size(100000, 1).pages);
}
