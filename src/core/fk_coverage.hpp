// Does an index serve the lookups PostgreSQL makes on a foreign key's referencing side?
//
// On every DELETE or key UPDATE of a referenced row, PostgreSQL looks for referencing rows with
// "WHERE fk_col1 = $1 AND fk_col2 = $2 ...". Without an index that search is a sequential scan of the referencing
// table, under a lock, once per referenced row. PostgreSQL-free: the catalog readers fill these plain structs.
#pragma once

#include "core/postgres_free.hpp"

#include <cstdint>
#include <vector>

namespace pgo::core {

using AttrNumber = std::int16_t;

enum class AccessMethod { Btree, Hash, Other };

struct IndexShape {
  AccessMethod am = AccessMethod::Other;
  bool valid = false;   // pg_index.indisvalid
  bool ready = false;   // pg_index.indisready
  bool partial = false; // pg_index.indpred is not null
  // Key columns only (the first indnkeyatts of indkey); 0 marks an expression column. INCLUDE columns are left out.
  std::vector<AttrNumber> key_columns;
};

// True when the index, on the referencing table, can serve equality lookups on exactly the foreign key's columns:
// valid and ready, not partial, btree (or hash for a single column), and its first k key columns are the k foreign
// key columns in any order.
bool index_covers_foreign_key(const IndexShape &index, const std::vector<AttrNumber> &fk_columns);

// True when any of the indexes covers the foreign key.
bool any_index_covers(const std::vector<IndexShape> &indexes, const std::vector<AttrNumber> &fk_columns);

} // namespace pgo::core
