// How many foreign keys optimize.missing_fk_indexes() lists, without building its rows: metrics() needs the number,
// not the column names, sizes and CREATE INDEX statements of each.
#pragma once

#include <cstddef>
#include <vector>

#include "catalog/class_catalog.hpp"
#include "catalog/foreign_keys.hpp"
#include "catalog/indexes.hpp"

namespace pgo::health {

// Whether an index covers the foreign key, by the rule missing_fk_indexes() applies (core/fk_coverage on the index
// shapes of pg_index, the planner's prover for partial indexes). `indexes` must hold shapes for the key's table.
bool fk_is_covered(const catalog::ForeignKey &fk, const catalog::IndexCatalog &indexes);

// The foreign keys no index covers (fk_is_covered), counting those whose table the pg_class scan holds. The same figure
// as the view's row count unless DDL commits during the call (the view also skips a table it can no longer size or
// name).
std::size_t missing_fk_index_count(const std::vector<catalog::ForeignKey> &fks, const catalog::ClassCatalog &classes,
                                   const catalog::IndexCatalog &indexes);

} // namespace pgo::health
