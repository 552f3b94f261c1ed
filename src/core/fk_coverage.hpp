// Does an index serve the lookups PostgreSQL makes on a foreign key's referencing side?
//
// On every DELETE or key UPDATE of a referenced row, PostgreSQL looks for referencing rows with
// "WHERE fk_col1 = $1 AND fk_col2 = $2 ...". Without an index that search is a sequential scan of the referencing
// table, under a lock, once per referenced row. PostgreSQL-free: the catalog readers fill these plain structs.
#pragma once

#include "core/postgres_free.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace pgo::core {

using AttrNumber = std::int16_t;

enum class AccessMethod { Btree, Hash, Other };

struct IndexShape {
  AccessMethod am = AccessMethod::Other;
  bool valid = false;          // pg_index.indisvalid
  bool ready = false;          // pg_index.indisready
  bool partial = false;        // pg_index.indpred is not null
  std::uint32_t index_oid = 0; // which index: the predicate prover reads its predicate from the catalog
  // Key columns only (the first indnkeyatts of indkey); 0 marks an expression column. INCLUDE columns are left out.
  std::vector<AttrNumber> key_columns;
};

enum class FkCoverage {
  None,                    // the index cannot serve the lookup
  Covers,                  // it serves every lookup
  CoversIfPredicateImplied // partial: it serves the lookup when "col = $1 AND ..." implies its predicate
};

// Whether the index, on the referencing table, can serve equality lookups on exactly the foreign key's columns:
// valid and ready, btree (or hash for a single column), and its first k key columns are the k foreign key columns in
// any order. A partial index covers only if the lookup's clauses imply its predicate (as in the Rails habit
// "WHERE parent_id IS NOT NULL"): deciding that needs the server's predicate prover, so it is left to the caller.
FkCoverage fk_coverage(const IndexShape &index, const std::vector<AttrNumber> &fk_columns);

// The same rule for an index given by its facts, its key columns `key_count` values at `keys`: what a reader that
// keeps indexes in a compact form calls, without building an IndexShape. Allocates nothing for up to 32 columns.
FkCoverage fk_coverage(AccessMethod am, bool valid, bool ready, bool partial, const AttrNumber *keys,
                       std::size_t key_count, const std::vector<AttrNumber> &fk_columns);

// Decides CoversIfPredicateImplied for one index; nullptr treats every partial index as not covering.
using PredicateProof = std::function<bool(const IndexShape &)>;

// True when the index covers the foreign key (fk_coverage, with `implied` for partial indexes).
bool index_covers_foreign_key(const IndexShape &index, const std::vector<AttrNumber> &fk_columns,
                              const PredicateProof &implied = nullptr);

// True when any of the indexes covers the foreign key.
bool any_index_covers(const std::vector<IndexShape> &indexes, const std::vector<AttrNumber> &fk_columns,
                      const PredicateProof &implied = nullptr);

} // namespace pgo::core
