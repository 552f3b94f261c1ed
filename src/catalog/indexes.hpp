// The indexes of the database, read with one scan of pg_index (access methods come from the ClassCatalog).
#pragma once

#include <functional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "catalog/class_catalog.hpp"
#include "core/fk_coverage.hpp"
#include "core/key_directory.hpp"
#include "pg/postgres.hpp"

extern "C" {
#include "access/htup.h"
#include "access/tupdesc.h"
}

namespace pgo::catalog {

// A run of OIDs inside a container that outlives it.
class OidRange {
public:
  OidRange(const Oid *begin, const Oid *end) : begin_(begin), end_(end) {}
  const Oid *begin() const { return begin_; }
  const Oid *end() const { return end_; }
  std::size_t size() const { return static_cast<std::size_t>(end_ - begin_); }
  bool empty() const { return begin_ == end_; }

private:
  const Oid *begin_;
  const Oid *end_;
};

class IndexCatalog {
public:
  // Reads every index. Shapes (what index_covers_foreign_key needs) are kept for the indexes of `shape_tables`;
  // the plain table -> index list is kept for every table, since sizes need it.
  static IndexCatalog read(const ClassCatalog &classes, const std::unordered_set<Oid> &shape_tables);

  // Shapes of the indexes on `table` (empty if none, or if `table` was not among shape_tables).
  const std::vector<core::IndexShape> &shapes_of(Oid table) const;
  // Every index on `table`, partitioned indexes included, in pg_index scan order.
  OidRange indexes_of(Oid table) const;

private:
  std::unordered_map<Oid, std::vector<core::IndexShape>> shapes_;
  // Every (table, index) pair, sorted by table: 8 bytes an index, where a hash map of vectors took ten times that.
  std::vector<Oid> tables_;
  std::vector<Oid> indexes_;
  core::KeyDirectory directory_;            // over tables_: indexes_of() looks in one bucket
  std::vector<core::IndexShape> no_shapes_; // what shapes_of answers for a table without indexes
};

} // namespace pgo::catalog
