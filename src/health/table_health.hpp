// Table health: size, live and dead tuples, estimated heap bloat, scans, maintenance history, whether autovacuum's
// own formulas say a VACUUM or ANALYZE is due (with the table's own settings), and transaction ID age.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "catalog/class_catalog.hpp"
#include "catalog/column_catalog.hpp"
#include "catalog/indexes.hpp"
#include "catalog/inheritance.hpp"
#include "catalog/relation_size.hpp"
#include "catalog/table_stats.hpp"

namespace pgo::health {

// What autovacuum's own formulas say of one table, with the table's own settings: the part of its table_health row
// that needs neither its size nor column statistics (what maintenance jobs plan from).
struct MaintenanceVerdict {
  catalog::TableActivity activity;
  double dead_pct = 0;
  bool vacuum_needed = false;
  bool analyze_needed = false;
  bool autovacuum_enabled = true;
  std::optional<std::int64_t> xid_age; // of the table or its TOAST table, whichever is older
  std::optional<std::int64_t> mxid_age;
  bool freeze_due =
      false; // past autovacuum_freeze_max_age (or its multixact twin): an anti-wraparound vacuum is forced
  bool multixact_freeze_due = false; // the multixact age is what makes freeze_due
  bool toast_vacuum_needed = false;  // the TOAST table, which autovacuum judges on its own, is past its threshold
};

struct TableHealth : MaintenanceVerdict {
  Oid table = InvalidOid;
  std::int64_t bytes = 0;
  std::optional<std::int64_t> bloat_bytes;
  std::optional<double> bloat_pct;
  std::int64_t idx_scans = 0;
  bool partitioned = false; // figures summed over its leaf partitions (which have rows of their own)
  int partitions = 0;
  std::string status;
};

// Every ordinary table and materialized view outside the excluded schemas, biggest first.
// Partitioned tables get a row too, summing their leaf partitions: callers that add figures up skip those rows.
std::vector<TableHealth> table_health(const catalog::ClassCatalog &classes, const catalog::IndexCatalog &indexes,
                                      const catalog::Inheritance &inheritance, const catalog::ColumnCatalog &columns,
                                      const catalog::RelationStatistics &stats, catalog::RelationSizer &sizer);
// The same rows in the same order, each handed to `emit` as it is built and not kept: memory for one row at a time.
void table_health(const catalog::ClassCatalog &classes, const catalog::IndexCatalog &indexes,
                  const catalog::Inheritance &inheritance, const catalog::ColumnCatalog &columns,
                  const catalog::RelationStatistics &stats, catalog::RelationSizer &sizer,
                  const std::function<void(TableHealth &&)> &emit);

// Whether the relation has a table_health() row of its own that is no partitioned table's: an ordinary table or a
// materialized view outside the excluded schemas (the partitions with rows of their own, too).
bool is_health_table(const catalog::ClassRow &row);

// Adds a partition's figures to its partitioned table's, as the partitioned table's table_health() row has them:
// tuples and scans summed, the oldest XID and multixact ages, dead_pct of the sums. No verdict of its own: autovacuum
// never processes a partitioned table.
void add_partition(MaintenanceVerdict &table, const MaintenanceVerdict &partition);

// The verdict of each table that has a table_health() row of its own and is no partitioned table (autovacuum never
// processes those), in OID order, without sizes or column statistics: a pass over the catalog's rows, at the cost of
// a statistics lookup each. `classes` must hold the tables' TOAST tables (relkind 't'); `stats` their activity.
void for_each_maintenance_verdict(const catalog::ClassCatalog &classes, const catalog::RelationStatistics &stats,
                                  const std::function<void(Oid, const MaintenanceVerdict &)> &visit);
// The relkinds for_each_maintenance_verdict() reads: tables, materialized views and TOAST tables.
inline constexpr const char *kMaintainedRelkinds = "rmt";

// The tables table_health() looks at (for reading only their column statistics).
std::unordered_set<Oid> health_tables(const catalog::ClassCatalog &classes);

// The filter of RelationStatistics::read for a call that reads the activity statistics for table_health() alone:
// the relations it looks up (tables outside the excluded schemas, their indexes, TOAST tables), not the TOAST tables'
// indexes (a fifth of a typical catalog). It tests a bitmap over their OIDs: a lookup in the catalog for each entry,
// in the walk's random order, cost a tenth of the view at 100,000 tables. nullptr (keep all) when their OIDs spread
// too wide for a bitmap of 16 MB.
catalog::RelationStatistics::Filter table_health_statistics_filter(const catalog::ClassCatalog &classes);

} // namespace pgo::health
