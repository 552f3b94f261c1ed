// Does the lookup PostgreSQL makes for a foreign key ("fk_col1 = $1 AND fk_col2 = $2 ...") imply a partial index's
// predicate? Then the partial index serves it: "WHERE parent_id IS NOT NULL" is the common case.
#pragma once

#include <vector>

#include "core/fk_coverage.hpp"
#include "pg/postgres.hpp"

namespace pgo::catalog {

// Asks the planner's own prover (predicate_implied_by) with the facts every lookup carries: each foreign key column
// compared with "=" to a non-null parameter, so each is NOT NULL. False when the index or a column is gone.
bool fk_lookup_implies_predicate(Oid table, Oid index, const std::vector<core::AttrNumber> &fk_columns);

// The prover for core::index_covers_foreign_key, for the foreign key's table and columns.
core::PredicateProof fk_predicate_proof(Oid table, const std::vector<core::AttrNumber> &fk_columns);

} // namespace pgo::catalog
