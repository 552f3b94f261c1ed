// Sequence health: how much of its range each sequence has used, and of the range of the column it feeds (a bigint
// sequence behind an integer column runs out at 2^31, not 2^63).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/class_catalog.hpp"

namespace pgo::health {

struct SequenceHealth {
  Oid sequence = InvalidOid;
  std::string owned_by;                   // "schema.table.column", "" when no column owns it
  std::string column_type;                // "smallint", "integer", "bigint", "" when unknown
  std::string owner_table;                // qualified, quoted name of the owning table, "" when none
  std::string owner_column;               // quoted name of the owning column, "" when none
  std::string sequence_type;              // the sequence's own type (AS ...): "smallint", "integer", "bigint"
  bool column_is_limit = false;           // the column type's range ends before the sequence's own limit
  std::optional<std::int64_t> last_value; // NULL: never used, or not visible to the caller
  std::int64_t min_value = 0, max_value = 0, increment = 1;
  bool cycles = false;
  std::optional<double> pct_used; // of the tighter of the sequence's and the column type's range
};

// Every sequence the caller may see, most used first. With min_pct, only the sequences that may have used at least
// that share: the others are dropped before their owning column is looked up (they cannot reach it even behind a
// smallint column), which is what alerts and metrics need.
std::vector<SequenceHealth> sequence_health(const catalog::ClassCatalog &classes,
                                            std::optional<double> min_pct = std::nullopt);

} // namespace pgo::health
