// The foreign keys no index covers, for optimize.missing_fk_indexes() and the summaries that count or advise on them:
// one scan of pg_index that keeps a compact form of only the indexes that can cover a foreign key, then one scan of
// pg_constraint that keeps only the keys none of them covers.
//
// The rule is core/fk_coverage's with the planner's prover for partial indexes; this reader never holds a shape per
// index of every table (about 18 MB at 100,000 tables) nor a ForeignKey per covered key.
#pragma once

#include <deque>

#include "catalog/class_catalog.hpp"
#include "catalog/foreign_keys.hpp"

namespace pgo::catalog {

// The user foreign keys (scan_user_foreign_keys) that no index covers, in pg_constraint scan order. `classes` gives
// the indexes' access methods. A deque: it grows block by block, leaving no spare copies behind as a vector would.
std::deque<ForeignKey> read_uncovered_foreign_keys(const ClassCatalog &classes);

} // namespace pgo::catalog
