// Estimated bloat of a table's heap and of a btree index, from planner statistics alone.
//
// The arithmetic of the well-known estimation queries (ioguix/pgsql-bloat-estimation): from every column's average
// width and null fraction, work out how wide a tuple is, how many fit on a page at the relation's fillfactor, and so
// how many pages the relation would need freshly packed; what it has beyond that is bloat. An estimate, not a
// measurement (pgstattuple reads every page for that): it is only as good and as fresh as the last ANALYZE.
// PostgreSQL-free: the catalog readers fill these plain structs.
#pragma once

#include "core/postgres_free.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace pgo::core {

// Sizes of the on-disk structures; the defaults are those of a 64-bit build with the default 8 kB block.
struct PageLayout {
  std::int64_t page_size = 8192;            // BLCKSZ
  std::int64_t page_header_size = 24;       // SizeOfPageHeaderData
  std::int64_t item_pointer_size = 4;       // sizeof(ItemIdData): the line pointer every tuple takes
  std::int64_t maxalign = 8;                // MAXIMUM_ALIGNOF
  std::int64_t heap_tuple_header_size = 23; // SizeofHeapTupleHeader, before MAXALIGN
  std::int64_t index_tuple_header_size = 8; // sizeof(IndexTupleData)
  std::int64_t index_null_bitmap_size = 4;  // sizeof(IndexAttributeBitMapData): one bit for each of INDEX_MAX_KEYS
  std::int64_t btree_special_size = 16;     // sizeof(BTPageOpaqueData), at the end of every btree page
};

// What pg_stats and pg_type say about one column. For an index expression column, the index's own pg_stats row.
struct ColumnStats {
  double avg_width = 0; // pg_stats.avg_width: bytes as stored in the tuple (an out-of-line value counts its pointer)
  double null_frac = 0; // pg_stats.null_frac, 0..1
  char typalign = 'c';  // pg_type.typalign: 'c', 's', 'i' or 'd'
  bool varlena = false; // pg_type.typlen = -1: values of up to 127 bytes get a 1-byte header and are stored unaligned
};

struct RelationStats {
  std::int64_t actual_pages = 0; // pages of the main fork now on disk (TOAST, free space map and visibility map apart)
  double reltuples = -1;         // pg_class.reltuples; negative (-1 on PostgreSQL 14+): never vacuumed or analyzed
  int fillfactor = 0;            // the fillfactor reloption; 0 when unset: the default (heap 100, btree 90)
  // Heap: every live column in attnum order (dropped columns left out). Btree: the columns a leaf tuple stores, key
  // columns then INCLUDE columns, in index order.
  std::vector<ColumnStats> columns;
  bool stats_for_every_column = false; // false when any column has no pg_stats row: then there is no estimate
};

struct BloatEstimate {
  std::int64_t tuples_per_page = 0;       // how many tuples a packed page holds
  std::int64_t expected_pages = 0;        // pages the relation would need freshly packed
  std::int64_t estimated_bloat_bytes = 0; // (actual - expected) pages in bytes, never negative
  double estimated_bloat_pct = 0;         // the same as a share of the actual pages, 0..100
};

// Heap bloat of a table, main fork only: TOAST data lives in a relation of its own and is not counted on either side.
// Tuple: MAXALIGN(23-byte header + null bitmap when any column can be null) + MAXALIGN(expected data width) + 4-byte
// line pointer; tuples per page = floor((page - page header) * fillfactor/100 / tuple); expected pages =
// ceil(reltuples / tuples per page). The data width sums (1 - null_frac) * avg_width over the columns, adding the
// padding each column's typalign asks for (the estimation queries leave that padding out, which reads an int4 followed
// by an int8 as 12 bytes instead of 16). std::nullopt when a column lacks statistics (unless reltuples is 0: an emptied
// relation needs none) or reltuples is unknown.
// Throws pgo::Error (22023) on a malformed input: fillfactor outside 10..100, null_frac outside 0..1, a negative width,
// an unknown typalign, negative pages, a page too small for its headers.
std::optional<BloatEstimate> estimate_heap_bloat(const RelationStats &table, const PageLayout &layout = {});

// Bloat of a btree index, counting leaf pages only, plus the meta page. Tuple: MAXALIGN(8-byte IndexTupleData + 4-byte
// null bitmap when any column can be null) + MAXALIGN(expected data width) + 4-byte line pointer; tuples per page =
// floor((page - page header - 16-byte btree special space) * fillfactor/100 / tuple); expected pages =
// ceil(reltuples / tuples per page) + 1. Internal pages are not counted and deduplication (PostgreSQL 13+) is not
// modelled, so a deduplicated index reads as smaller than expected: its bloat is then 0. Same nullopt and throw rules.
std::optional<BloatEstimate> estimate_btree_bloat(const RelationStats &index, const PageLayout &layout = {});

} // namespace pgo::core
