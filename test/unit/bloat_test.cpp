#include "core/bloat.hpp"

#include "core/error.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace {

using pgo::core::BloatEstimate;
using pgo::core::ColumnStats;
using pgo::core::estimate_btree_bloat;
using pgo::core::estimate_heap_bloat;
using pgo::core::PageLayout;
using pgo::core::RelationStats;

ColumnStats col(double avg_width, char typalign, double null_frac = 0) {
  ColumnStats c;
  c.avg_width = avg_width;
  c.typalign = typalign;
  c.null_frac = null_frac;
  return c;
}

ColumnStats varlena(double avg_width, double null_frac = 0) {
  ColumnStats c = col(avg_width, 'i', null_frac);
  c.varlena = true;
  return c;
}

RelationStats relation(std::int64_t actual_pages, double reltuples, std::vector<ColumnStats> columns) {
  RelationStats r;
  r.actual_pages = actual_pages;
  r.reltuples = reltuples;
  r.columns = std::move(columns);
  r.stats_for_every_column = true;
  return r;
}

const std::vector<ColumnStats> kFourInt4 = {col(4, 'i'), col(4, 'i'), col(4, 'i'), col(4, 'i')};

BloatEstimate heap(const RelationStats &r, const PageLayout &layout = {}) {
  const auto e = estimate_heap_bloat(r, layout);
  EXPECT_TRUE(e.has_value());
  return e.value_or(BloatEstimate{});
}

BloatEstimate btree(const RelationStats &r) {
  const auto e = estimate_btree_bloat(r);
  EXPECT_TRUE(e.has_value());
  return e.value_or(BloatEstimate{});
}

void expect_invalid(const RelationStats &r, const PageLayout &layout = {}) {
  try {
    (void)estimate_heap_bloat(r, layout);
    ADD_FAILURE() << "no pgo::Error thrown";
  } catch (const pgo::Error &e) {
    EXPECT_EQ(e.sqlstate(), pgo::sqlstate::kInvalidParameterValue);
  }
}

// 1,000,000 rows of four int4 columns, no nulls, fillfactor 100: header MAXALIGN(23) = 24, data 16, tuple 40, +4 line
// pointer = 44 bytes; (8192 - 24) / 44 = 185.6, so 185 tuples a page; 1,000,000 / 185 = 5405.4, so 5406 pages.
TEST(HeapBloat, FourInt4ColumnsPackedExactly) {
  const BloatEstimate e = heap(relation(5406, 1e6, kFourInt4));
  EXPECT_EQ(e.tuples_per_page, 185);
  EXPECT_EQ(e.expected_pages, 5406);
  EXPECT_EQ(e.estimated_bloat_bytes, 0);
  EXPECT_EQ(e.estimated_bloat_pct, 0);
}

// Twice the pages it needs: 5406 extra pages * 8192 = 44,285,952 bytes, half the table. 6000 pages: 594 extra pages,
// 4,866,048 bytes, 594 / 6000 = 9.9%.
TEST(HeapBloat, BloatIsWhatExceedsTheExpectedPages) {
  BloatEstimate e = heap(relation(10812, 1e6, kFourInt4));
  EXPECT_EQ(e.estimated_bloat_bytes, 44285952);
  EXPECT_DOUBLE_EQ(e.estimated_bloat_pct, 50.0);
  e = heap(relation(6000, 1e6, kFourInt4));
  EXPECT_EQ(e.estimated_bloat_bytes, 4866048);
  EXPECT_DOUBLE_EQ(e.estimated_bloat_pct, 9.9);
}

// fillfactor 50: 8168 * 50 / 100 = 4084 bytes to fill, / 44 = 92.8: 92 tuples; 1,000,000 / 92 = 10869.6: 10870 pages.
TEST(HeapBloat, FillfactorLeavesRoomOnEveryPage) {
  RelationStats r = relation(10870, 1e6, kFourInt4);
  r.fillfactor = 50;
  const BloatEstimate e = heap(r);
  EXPECT_EQ(e.tuples_per_page, 92);
  EXPECT_EQ(e.expected_pages, 10870);
  EXPECT_EQ(e.estimated_bloat_bytes, 0);
  r.fillfactor = 100; // the same as unset for a heap
  EXPECT_EQ(heap(r).expected_pages, 5406);
}

// Nine int2 columns. No nulls: header 24, data 18 -> 24, tuple 52, 8168 / 52 = 157.08: 157 a page, 1,000,000 / 157 =
// 6369.4: 6370 pages. The last column null half the time: the 2-byte bitmap makes the header 25 -> 32, data 16 + 1 =
// 17 -> 24, tuple 60, 8168 / 60 = 136.1: 136 a page, 1,000,000 / 136 = 7352.9: 7353 pages.
TEST(HeapBloat, NullBitmapPastEightColumnsGrowsTheHeader) {
  std::vector<ColumnStats> columns(9, col(2, 's'));
  EXPECT_EQ(heap(relation(0, 1e6, columns)).expected_pages, 6370);
  columns.back().null_frac = 0.5;
  const BloatEstimate e = heap(relation(0, 1e6, columns));
  EXPECT_EQ(e.tuples_per_page, 136);
  EXPECT_EQ(e.expected_pages, 7353);
}

// With four columns the 1-byte bitmap fits in the header's padding (23 + 1 = 24). The nullable column's expected
// width is 0.5 * 4 = 2: data 14 -> 16, the same 44-byte tuple and 5406 pages.
TEST(HeapBloat, SmallNullBitmapCostsNothing) {
  std::vector<ColumnStats> columns = kFourInt4;
  columns.back().null_frac = 0.5;
  EXPECT_EQ(heap(relation(0, 1e6, columns)).expected_pages, 5406);
}

// One text column, avg_width 100, null half the time: header 23 + 1 = 24, data 50 -> 56, tuple 24 + 56 + 4 = 84,
// 8168 / 84 = 97.2: 97 a page, 1,000,000 / 97 = 10309.3: 10310 pages.
TEST(HeapBloat, NullFractionScalesTheWidth) {
  const BloatEstimate e = heap(relation(0, 1e6, {varlena(100, 0.5)}));
  EXPECT_EQ(e.tuples_per_page, 97);
  EXPECT_EQ(e.expected_pages, 10310);
}

// int4, int8, int4: the int8 starts at 8, not 4, so data is 4 + 4 (padding) + 8 + 4 = 20 -> 24 and the tuple 52 bytes:
// 157 a page, 6370 pages. The same columns with the int8 first need no padding: 16 bytes, 44-byte tuple, 5406 pages.
TEST(HeapBloat, ColumnAlignmentPadding) {
  EXPECT_EQ(heap(relation(0, 1e6, {col(4, 'i'), col(8, 'd'), col(4, 'i')})).expected_pages, 6370);
  EXPECT_EQ(heap(relation(0, 1e6, {col(8, 'd'), col(4, 'i'), col(4, 'i')})).expected_pages, 5406);
}

// int2 then text of 22 bytes on average: a short varlena (1-byte header) is stored unaligned, 2 + 22 = 24, tuple 52,
// 157 a page, 6370 pages. Were it aligned on 4 like a fixed-width 'i' type: 4 + 22 = 26 -> 32, tuple 60, 136 a page,
// 7353 pages. A 200-byte varlena keeps its 4-byte header and alignment: 4 + 200 = 204 -> 208, tuple 236,
// 8168 / 236 = 34.6: 34 a page, 1,000,000 / 34 = 29411.8: 29412 pages.
TEST(HeapBloat, ShortVarlenasAreNotAligned) {
  EXPECT_EQ(heap(relation(0, 1e6, {col(2, 's'), varlena(22)})).expected_pages, 6370);
  EXPECT_EQ(heap(relation(0, 1e6, {col(2, 's'), col(22, 'i')})).expected_pages, 7353);
  const BloatEstimate e = heap(relation(0, 1e6, {col(2, 's'), varlena(200)}));
  EXPECT_EQ(e.tuples_per_page, 34);
  EXPECT_EQ(e.expected_pages, 29412);
}

// Two texts of 10 bytes, null 70% of the time, then an int2: 3 + 3 = 6 bytes, where the int2 is already aligned, 6 + 2
// = 8. In doubles 0.3 * 10 + 0.3 * 10 is 6.000000000000001; that noise must not pad the int2 to 8 (data 10 -> 16).
// Header 23 + 1 -> 24, tuple 24 + 8 + 4 = 36, 8168 / 36 = 226.9: 226 a page, 1,000,000 / 226 = 4424.8: 4425 pages.
TEST(HeapBloat, RoundingNoiseAddsNoPadding) {
  const BloatEstimate e = heap(relation(0, 1e6, {varlena(10, 0.7), varlena(10, 0.7), col(2, 's')}));
  EXPECT_EQ(e.tuples_per_page, 226);
  EXPECT_EQ(e.expected_pages, 4425);
}

TEST(HeapBloat, MissingStatisticsGiveNoEstimate) {
  RelationStats r = relation(100, 1e6, kFourInt4);
  r.stats_for_every_column = false;
  EXPECT_FALSE(estimate_heap_bloat(r).has_value());
  EXPECT_FALSE(estimate_btree_bloat(r).has_value());
  EXPECT_FALSE(estimate_heap_bloat(RelationStats{}).has_value()); // the defaults claim nothing
}

// reltuples -1 is "never vacuumed or analyzed", not "empty".
TEST(HeapBloat, UnknownReltuplesGiveNoEstimate) {
  EXPECT_FALSE(estimate_heap_bloat(relation(100, -1, kFourInt4)).has_value());
  EXPECT_FALSE(estimate_heap_bloat(relation(100, std::nan(""), kFourInt4)).has_value());
  EXPECT_FALSE(estimate_heap_bloat(relation(100, std::numeric_limits<double>::infinity(), kFourInt4)).has_value());
}

// An empty table needs no page: three pages are all bloat (3 * 8192 bytes); none is no bloat, and no division by 0.
TEST(HeapBloat, EmptyTable) {
  BloatEstimate e = heap(relation(3, 0, kFourInt4));
  EXPECT_EQ(e.expected_pages, 0);
  EXPECT_EQ(e.estimated_bloat_bytes, 24576);
  EXPECT_DOUBLE_EQ(e.estimated_bloat_pct, 100.0);
  e = heap(relation(0, 0, kFourInt4));
  EXPECT_EQ(e.estimated_bloat_bytes, 0);
  EXPECT_EQ(e.estimated_bloat_pct, 0);
}

// Fewer pages than expected (stale statistics, or values narrower than avg_width says) is no bloat, never negative.
TEST(HeapBloat, ClampedAtZero) {
  for (const std::int64_t pages : {0, 1, 5000, 5405}) {
    const BloatEstimate e = heap(relation(pages, 1e6, kFourInt4));
    EXPECT_EQ(e.expected_pages, 5406);
    EXPECT_EQ(e.estimated_bloat_bytes, 0) << pages;
    EXPECT_EQ(e.estimated_bloat_pct, 0) << pages;
  }
}

// No columns at all: 24-byte header + 4 = 28 bytes, 8168 / 28 = 291, PostgreSQL's MaxHeapTuplesPerPage.
TEST(HeapBloat, NoColumns) {
  EXPECT_EQ(heap(relation(0, 291, {})).tuples_per_page, 291);
  EXPECT_EQ(heap(relation(0, 291, {})).expected_pages, 1);
  EXPECT_EQ(heap(relation(0, 292, {})).expected_pages, 2);
}

// A 5000-byte tuple (24 + 5000 + 4 = 5028) is more than fillfactor 50 allows a page (4084), yet each gets a page.
TEST(HeapBloat, OversizedTupleStillFillsAPage) {
  RelationStats r = relation(10, 10, {col(5000, 'c')});
  r.fillfactor = 50;
  const BloatEstimate e = heap(r);
  EXPECT_EQ(e.tuples_per_page, 1);
  EXPECT_EQ(e.expected_pages, 10);
  EXPECT_EQ(e.estimated_bloat_bytes, 0);
}

// 16 kB pages: (16384 - 24) / 44 = 371.8: 371 a page, 1,000,000 / 371 = 2695.4: 2696 pages. 2700 pages are 4 extra,
// 4 * 16384 = 65,536 bytes.
TEST(HeapBloat, PageSizeFromTheLayout) {
  PageLayout layout;
  layout.page_size = 16384;
  const BloatEstimate e = heap(relation(2700, 1e6, kFourInt4), layout);
  EXPECT_EQ(e.tuples_per_page, 371);
  EXPECT_EQ(e.expected_pages, 2696);
  EXPECT_EQ(e.estimated_bloat_bytes, 65536);
}

TEST(HeapBloat, MalformedInputsThrow) {
  RelationStats r = relation(10, 1e6, kFourInt4);
  r.fillfactor = 5;
  expect_invalid(r);
  r.fillfactor = 101;
  expect_invalid(r);
  expect_invalid(relation(10, 1e6, {col(4, 'i', 1.5)}));
  expect_invalid(relation(10, 1e6, {col(4, 'i', -0.1)}));
  expect_invalid(relation(10, 1e6, {col(-1, 'i')}));
  expect_invalid(relation(10, 1e6, {col(4, 'x')}));
  expect_invalid(relation(-1, 1e6, kFourInt4));
  PageLayout odd;
  odd.maxalign = 6;
  expect_invalid(relation(10, 1e6, kFourInt4), odd);
  PageLayout tiny;
  tiny.page_size = 24;
  expect_invalid(relation(10, 1e6, kFourInt4), tiny);
  PageLayout no_pointer;
  no_pointer.item_pointer_size = 0;
  expect_invalid(relation(10, 1e6, kFourInt4), no_pointer);
}

// btree on one int4, 1,000,000 rows, default fillfactor 90: tuple MAXALIGN(8) + MAXALIGN(4) + 4 = 20 bytes;
// (8192 - 24 - 16) * 90 / 100 = 7336.8 bytes to fill, / 20 = 366.8: 366 a page; 1,000,000 / 366 = 2732.2: 2733 leaf
// pages + the meta page = 2734. At 5468 pages, 2734 are bloat: 22,396,928 bytes, 50%.
TEST(BtreeBloat, SingleInt4Key) {
  BloatEstimate e = btree(relation(2734, 1e6, {col(4, 'i')}));
  EXPECT_EQ(e.tuples_per_page, 366);
  EXPECT_EQ(e.expected_pages, 2734);
  EXPECT_EQ(e.estimated_bloat_bytes, 0);
  e = btree(relation(5468, 1e6, {col(4, 'i')}));
  EXPECT_EQ(e.estimated_bloat_bytes, 22396928);
  EXPECT_DOUBLE_EQ(e.estimated_bloat_pct, 50.0);
  EXPECT_EQ(btree(relation(0, 1e6, {col(8, 'd')})).expected_pages, 2734); // an int8 key pads to the same 20 bytes
}

// fillfactor 100: 8152 / 20 = 407.6: 407 a page; 407 * 2457 = 999,999, so 2458 leaf pages + meta = 2459.
TEST(BtreeBloat, Fillfactor) {
  RelationStats r = relation(0, 1e6, {col(4, 'i')});
  r.fillfactor = 100;
  const BloatEstimate e = btree(r);
  EXPECT_EQ(e.tuples_per_page, 407);
  EXPECT_EQ(e.expected_pages, 2459);
  r.fillfactor = 9;
  EXPECT_THROW((void)estimate_btree_bloat(r), pgo::Error);
}

// int8 key null 10% of the time: header 8 + 4-byte bitmap = 12 -> 16, data 7.2 -> 8, tuple 28; 7336.8 / 28 = 262.03:
// 262 a page; 1,000,000 / 262 = 3816.8: 3817 + 1 = 3818.
TEST(BtreeBloat, NullableKeyAddsTheBitmap) {
  const BloatEstimate e = btree(relation(0, 1e6, {col(8, 'd', 0.1)}));
  EXPECT_EQ(e.tuples_per_page, 262);
  EXPECT_EQ(e.expected_pages, 3818);
}

// (int4, text of 10 bytes): 4 + 10 = 14 -> 16, tuple 8 + 16 + 4 = 28: 262 a page, 3818 pages.
TEST(BtreeBloat, TwoColumns) { EXPECT_EQ(btree(relation(0, 1e6, {col(4, 'i'), varlena(10)})).expected_pages, 3818); }

// An empty btree is its meta page.
TEST(BtreeBloat, EmptyIndexIsItsMetaPage) {
  BloatEstimate e = btree(relation(1, 0, {col(4, 'i')}));
  EXPECT_EQ(e.expected_pages, 1);
  EXPECT_EQ(e.estimated_bloat_bytes, 0);
  e = btree(relation(0, 0, {col(4, 'i')}));
  EXPECT_EQ(e.estimated_bloat_bytes, 0);
  EXPECT_EQ(e.estimated_bloat_pct, 0);
  e = btree(relation(5, 0, {col(4, 'i')}));
  EXPECT_EQ(e.estimated_bloat_bytes, 4 * 8192);
  EXPECT_DOUBLE_EQ(e.estimated_bloat_pct, 80.0);
}

// An emptied table (VACUUM counted 0 tuples) keeps no column statistics after ANALYZE; its index's pages are bloat all
// the same.
TEST(BtreeBloat, EmptiedIndexNeedsNoColumnStatistics) {
  RelationStats r = relation(50, 0, {});
  r.stats_for_every_column = false;
  const std::optional<BloatEstimate> e = estimate_btree_bloat(r);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->expected_pages, 1);
  EXPECT_EQ(e->estimated_bloat_bytes, 49 * 8192);
  const std::optional<BloatEstimate> heap_estimate = estimate_heap_bloat(r);
  ASSERT_TRUE(heap_estimate.has_value());
  EXPECT_EQ(heap_estimate->estimated_bloat_bytes, 50 * 8192);
}

TEST(BtreeBloat, NoEstimateWithoutReltuplesOrStatistics) {
  EXPECT_FALSE(estimate_btree_bloat(relation(10, -1, {col(4, 'i')})).has_value());
  RelationStats r = relation(10, 1e6, {col(4, 'i')});
  r.stats_for_every_column = false;
  EXPECT_FALSE(estimate_btree_bloat(r).has_value());
}

// Deduplication can leave an index smaller than the model: no bloat, not a negative one.
TEST(BtreeBloat, ClampedAtZero) {
  const BloatEstimate e = btree(relation(900, 1e6, {col(4, 'i')}));
  EXPECT_EQ(e.estimated_bloat_bytes, 0);
  EXPECT_EQ(e.estimated_bloat_pct, 0);
}

} // namespace
