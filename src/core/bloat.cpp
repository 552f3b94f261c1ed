#include "core/bloat.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace pgo::core {
namespace {

// Sums of fractional widths pick up rounding noise (0.3 * 10 + 0.3 * 10 is 6.000000000000001 in doubles); the slack
// keeps such a sum from being padded or rounded up as if it were a byte more.
constexpr double kSlack = 1e-9;

// PostgreSQL converts a varlena to the 1-byte-header form, stored without alignment, when it fits in 127 bytes
// (VARATT_SHORT_MAX) with that header.
constexpr double kShortVarlenaMax = 127;

constexpr double kMaxPages = 9007199254740992.0; // 2^53

[[noreturn]] void invalid(const std::string &message) { throw Error(sqlstate::kInvalidParameterValue, message); }

std::int64_t align_up(std::int64_t n, std::int64_t alignment) { return (n + alignment - 1) / alignment * alignment; }

std::int64_t typalign_bytes(char typalign) {
  switch (typalign) {
  case 'c':
    return 1;
  case 's':
    return 2;
  case 'i':
    return 4;
  case 'd':
    return 8;
  default:
    invalid(std::string("unknown typalign '") + typalign + "'");
  }
}

void check_layout(const PageLayout &l, std::int64_t special_size) {
  if (l.maxalign <= 0 || (l.maxalign & (l.maxalign - 1)) != 0)
    invalid("maxalign must be a power of two");
  if (l.page_header_size < 0 || l.item_pointer_size < 0 || l.heap_tuple_header_size < 0 ||
      l.index_tuple_header_size < 0 || l.index_null_bitmap_size < 0 || l.btree_special_size < 0)
    invalid("page layout sizes must not be negative");
  if (l.item_pointer_size <= 0) // every tuple takes room, so the division by the tuple size is safe
    invalid("item pointer size must be positive");
  if (l.page_size <= l.page_header_size + special_size)
    invalid("page size leaves no room for tuples");
}

int resolve_fillfactor(int fillfactor, int default_fillfactor) {
  if (fillfactor == 0)
    return default_fillfactor;
  if (fillfactor < 10 || fillfactor > 100)
    invalid("fillfactor must be between 10 and 100");
  return fillfactor;
}

// Checks the relation-level inputs; false when there is nothing to estimate from.
bool usable(const RelationStats &r) {
  if (r.actual_pages < 0)
    invalid("actual_pages must not be negative");
  for (const ColumnStats &c : r.columns) {
    if (!(c.null_frac >= 0 && c.null_frac <= 1))
      invalid("null_frac must be between 0 and 1");
    if (!(c.avg_width >= 0) || !std::isfinite(c.avg_width))
      invalid("avg_width must not be negative");
    typalign_bytes(c.typalign);
  }
  // reltuples < 0 is "never counted", not "empty"; NaN or infinity can only come from a broken reader. An emptied
  // relation (counted, 0 tuples) needs no column statistics: it should hold no tuple at all, and ANALYZE of an
  // empty table leaves none to read.
  return std::isfinite(r.reltuples) && r.reltuples >= 0 && (r.stats_for_every_column || r.reltuples == 0);
}

bool any_nullable(const std::vector<ColumnStats> &columns) {
  return std::any_of(columns.begin(), columns.end(), [](const ColumnStats &c) { return c.null_frac > 0; });
}

// Expected bytes of a tuple's data area, MAXALIGNed. Columns are laid out in order, each starting at its typalign
// (short varlenas at any byte); a column that is null in a share of the rows contributes its width and its padding
// only in the others. The data area itself starts MAXALIGNed (t_hoff, IndexInfoFindDataOffset), so offsets count
// from 0.
std::int64_t data_width(const std::vector<ColumnStats> &columns, std::int64_t maxalign) {
  double offset = 0;
  for (const ColumnStats &c : columns) {
    const double present = 1 - c.null_frac;
    if (!(c.varlena && c.avg_width <= kShortVarlenaMax)) {
      const double alignment = static_cast<double>(typalign_bytes(c.typalign));
      const double aligned = std::ceil(offset / alignment - kSlack) * alignment;
      offset += present * std::max(0.0, aligned - offset);
    }
    offset += present * c.avg_width;
  }
  return align_up(static_cast<std::int64_t>(std::ceil(offset - kSlack)), maxalign);
}

// The part both access methods share once the tuple and the page are sized.
BloatEstimate finish(const RelationStats &r, std::int64_t room_per_page, int fillfactor, std::int64_t tuple_bytes,
                     std::int64_t fixed_pages, std::int64_t page_size) {
  BloatEstimate e;
  // A tuple wider than the fillfactor's share still gets a page of its own: fillfactor never stops an insert into an
  // empty page.
  e.tuples_per_page = std::max<std::int64_t>(1, room_per_page * fillfactor / (100 * tuple_bytes));
  // Capped far beyond any real relation (2^32 pages) so that a nonsense reltuples cannot overflow the conversion.
  const double pages = std::min(std::ceil(r.reltuples / static_cast<double>(e.tuples_per_page)), kMaxPages);
  e.expected_pages = static_cast<std::int64_t>(pages) + fixed_pages;
  const std::int64_t bloat_pages = std::max<std::int64_t>(0, r.actual_pages - e.expected_pages);
  e.estimated_bloat_bytes = bloat_pages * page_size;
  e.estimated_bloat_pct =
      r.actual_pages > 0 ? 100.0 * static_cast<double>(bloat_pages) / static_cast<double>(r.actual_pages) : 0.0;
  return e;
}

} // namespace

std::optional<BloatEstimate> estimate_heap_bloat(const RelationStats &table, const PageLayout &layout) {
  check_layout(layout, 0);
  const int fillfactor = resolve_fillfactor(table.fillfactor, 100);
  if (!usable(table))
    return std::nullopt;

  // The null bitmap (BITMAPLEN: a bit per column) is there only in tuples holding a null; counting it whenever a
  // column can be null is what the estimation queries do, and errs on the side of less bloat.
  const auto natts = static_cast<std::int64_t>(table.columns.size());
  const std::int64_t bitmap = any_nullable(table.columns) ? (natts + 7) / 8 : 0;
  const std::int64_t header = align_up(layout.heap_tuple_header_size + bitmap, layout.maxalign);
  const std::int64_t tuple = header + data_width(table.columns, layout.maxalign) + layout.item_pointer_size;
  return finish(table, layout.page_size - layout.page_header_size, fillfactor, tuple, 0, layout.page_size);
}

std::optional<BloatEstimate> estimate_btree_bloat(const RelationStats &index, const PageLayout &layout) {
  check_layout(layout, layout.btree_special_size);
  const int fillfactor = resolve_fillfactor(index.fillfactor, 90);
  if (!usable(index))
    return std::nullopt;

  // Index tuples have a fixed-size bitmap (INDEX_MAX_KEYS bits) when they hold a null.
  const std::int64_t bitmap = any_nullable(index.columns) ? layout.index_null_bitmap_size : 0;
  const std::int64_t header = align_up(layout.index_tuple_header_size + bitmap, layout.maxalign);
  const std::int64_t tuple = header + data_width(index.columns, layout.maxalign) + layout.item_pointer_size;
  const std::int64_t room = layout.page_size - layout.page_header_size - layout.btree_special_size;
  return finish(index, room, fillfactor, tuple, 1, layout.page_size); // + the meta page
}

} // namespace pgo::core
