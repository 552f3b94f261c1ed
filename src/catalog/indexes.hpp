// The indexes of the database, read with one scan of pg_index (access methods come from the ClassCatalog).
#pragma once

#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "catalog/class_catalog.hpp"
#include "core/fk_coverage.hpp"
#include "pg/postgres.hpp"

namespace pgo::catalog {

class IndexCatalog {
public:
  // Reads every index. Shapes (what index_covers_foreign_key needs) are kept for the indexes of `shape_tables`;
  // the plain table -> index list is kept for every table, since sizes need it.
  static IndexCatalog read(const ClassCatalog &classes, const std::unordered_set<Oid> &shape_tables);

  // Shapes of the indexes on `table` (empty if none, or if `table` was not among shape_tables).
  const std::vector<core::IndexShape> &shapes_of(Oid table) const;
  // Every index on `table`, partitioned indexes included.
  const std::vector<Oid> &indexes_of(Oid table) const;

private:
  std::unordered_map<Oid, std::vector<core::IndexShape>> shapes_;
  std::unordered_map<Oid, std::vector<Oid>> indexes_;
  std::vector<core::IndexShape> no_shapes_; // what shapes_of answers for a table without indexes
  std::vector<Oid> no_indexes_;
};

} // namespace pgo::catalog
