// How many foreign keys optimize.missing_fk_indexes() lists, without building its rows: metrics() needs the number,
// not the column names, sizes and CREATE INDEX statements of each.
#pragma once

#include <cstddef>
#include <vector>

#include "catalog/class_catalog.hpp"
#include "catalog/foreign_keys.hpp"
#include "catalog/indexes.hpp"

namespace pgo::health {

// The foreign keys no index covers, by the rule missing_fk_indexes() applies (core/fk_coverage on the index shapes
// of pg_index, the planner's prover for partial indexes), counting those whose table the pg_class scan holds.
// `indexes` must have been read with shapes for the foreign keys' tables. The same figure as the view's row count
// unless DDL commits during the call (the view also skips a table it can no longer size or name).
std::size_t missing_fk_index_count(const std::vector<catalog::ForeignKey> &fks, const catalog::ClassCatalog &classes,
                                   const catalog::IndexCatalog &indexes);

} // namespace pgo::health
