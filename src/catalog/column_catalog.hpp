// Column widths, null fractions and alignments of tables, for bloat estimation: one scan of pg_statistic and one of
// pg_attribute, kept only for the tables asked about. Only the planner's width and null fraction are read, never the
// sampled values.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "pg/postgres.hpp"

namespace pgo::catalog {

struct ColumnFacts {
  std::int16_t attnum = 0;
  char align = 'i';      // pg_attribute.attalign: c, s, i, d
  bool not_null = false; // pg_attribute.attnotnull
  bool varlena = false;  // attlen = -1: short values get a 1-byte header and no alignment
  bool has_stats = false;
  double null_frac = 0;
  double avg_width = 0;
};

class ColumnCatalog {
public:
  static ColumnCatalog read(const std::unordered_set<Oid> &tables);
  // The table's live columns in attnum order (empty when unknown).
  const std::vector<ColumnFacts> &columns_of(Oid table) const;

private:
  std::unordered_map<Oid, std::vector<ColumnFacts>> columns_;
  std::vector<ColumnFacts> none_;
};

} // namespace pgo::catalog
