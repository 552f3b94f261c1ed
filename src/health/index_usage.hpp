// Index usage: every index with its size and scans, and whether it is unused, a duplicate of another, redundant
// with a longer one, invalid or bloated, with what to do about it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/class_catalog.hpp"
#include "catalog/column_catalog.hpp"
#include "catalog/foreign_keys.hpp"
#include "catalog/index_details.hpp"
#include "catalog/inheritance.hpp"
#include "catalog/relation_size.hpp"
#include "catalog/table_stats.hpp"

namespace pgo::health {

struct IndexUsage {
  catalog::IndexDetails details;
  std::int64_t bytes = 0;
  catalog::IndexActivity activity;
  bool unused = false;
  bool serves_foreign_key = false; // the only index serving some foreign key
  Oid duplicate_of = InvalidOid;
  Oid redundant_with = InvalidOid;
  std::optional<std::int64_t> bloat_bytes;
  std::string recommendation; // "" when there is nothing to do
  std::string sql;            // the statement that carries the recommendation out, "" when none
  std::string kept_because;   // why an index that could look droppable must stay, "" when nothing holds it
  bool dropped() const { return !sql.empty() && sql.rfind("DROP", 0) == 0; }
};

// Every index, judged together: a drop is advised only where the whole set of drops leaves every foreign key and
// every lookup an index, and never for an index a constraint needs or one attached to a partitioned index (the
// advice goes to the partitioned one, judged by its partitions' scans).
std::vector<IndexUsage> index_usage(const catalog::ClassCatalog &classes, const catalog::Inheritance &inheritance,
                                    std::vector<catalog::IndexDetails> details,
                                    const std::vector<catalog::ForeignKey> &foreign_keys,
                                    const catalog::ColumnCatalog &columns, const catalog::RelationStatistics &stats,
                                    catalog::RelationSizer &sizer);

// The same judgement on rows that hold only their details so far (the rest is filled in), sorted as index_usage()
// sorts them.
void judge_index_usage(const catalog::ClassCatalog &classes, const catalog::Inheritance &inheritance,
                       std::vector<IndexUsage> &rows, const std::vector<catalog::ForeignKey> &foreign_keys,
                       const catalog::ColumnCatalog &columns, const catalog::RelationStatistics &stats,
                       catalog::RelationSizer &sizer);

// The tables whose column statistics index_usage needs (tables that have btree indexes).
std::unordered_set<Oid> indexed_tables(const std::vector<catalog::IndexDetails> &details);
std::unordered_set<Oid> indexed_tables(const std::vector<IndexUsage> &rows);

} // namespace pgo::health
