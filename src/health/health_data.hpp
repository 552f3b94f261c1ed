// Everything the health functions read, gathered at most once per call: metrics(), alerts, recommendations and
// report() all draw on the same catalog scans and statistics instead of repeating them.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "catalog/activity.hpp"
#include "catalog/class_catalog.hpp"
#include "catalog/column_catalog.hpp"
#include "catalog/foreign_keys.hpp"
#include "catalog/index_details.hpp"
#include "catalog/indexes.hpp"
#include "catalog/inheritance.hpp"
#include "catalog/relation_size.hpp"
#include "catalog/server_facts.hpp"
#include "catalog/table_stats.hpp"
#include "health/activity.hpp"
#include "health/fk_indexes.hpp"
#include "health/index_usage.hpp"
#include "health/sequence_health.hpp"
#include "health/table_health.hpp"

namespace pgo::health {

class HealthData {
public:
  enum class Catalog {
    Full,              // every relation: what tables(), index_usage(), the foreign keys and sizes need
    TablesAndSequences // enough for alerts and sequences; asking for the rest is an internal error
  };
  enum class Rows {
    Kept,   // the rows of tables() and index_usage() stay for the whole call
    Dropped // metrics(), recommendations and report(): each set of rows goes once used, so one set is held at a time.
            // Their passes go over the tables first, then index_usage(), which keeps only the indexes' statistics
            // (and hands the freed memory back to the system) and frees them once it has counted its scans (a later
            // table pass would read them again). They size every relation: the listing of the database's
            // directories starts with the constructor, on a thread of its own.
  };
  // `names`: Skip for a call that names few relations (their names then come from the system caches).
  explicit HealthData(Catalog catalog = Catalog::Full, Rows rows = Rows::Kept,
                      catalog::ClassCatalog::Names names = catalog::ClassCatalog::Names::Keep);

  TimestampTz now() const { return now_; }
  const catalog::ClassCatalog &classes();
  // The foreign keys no index covers: those missing_fk_indexes() suggests an index for.
  const std::deque<catalog::ForeignKey> &uncovered_foreign_keys();
  const catalog::IndexCatalog &indexes();
  const catalog::Inheritance &inheritance();
  catalog::RelationSizer &sizer();
  const catalog::RelationStatistics &statistics();
  const std::vector<TableHealth> &tables();
  // Each row of tables(), in its order. With Rows::Dropped and no rows built yet, each row is built, visited and
  // dropped in turn (a table's row is never held), so a summary that only adds rows up holds none.
  void for_each_table(const std::function<void(const TableHealth &)> &visit);
  const IndexUsageRows &index_usage();
  // How many foreign keys lack an index, without building the rows of missing_fk_indexes() (metrics()); known from
  // the first read of uncovered_foreign_keys() on.
  std::size_t missing_fk_index_count();
  // The sequences past the lower of the two sequence alert thresholds (alerts and metrics need no others).
  const std::vector<SequenceHealth> &sequences();
  const std::vector<catalog::Backend> &backends();
  const std::vector<BlockedQuery> &blocked();
  const std::vector<catalog::DatabaseAge> &databases();
  const std::vector<catalog::ReplicationSlotFacts> &slots();
  const catalog::DatabaseActivity &database_activity();

  // With Rows::Dropped: frees the rows of tables() or index_usage(), and references to them become invalid (a later
  // call builds them again). With Rows::Kept: nothing.
  void done_with_tables();
  void done_with_index_usage();
  // With Rows::Dropped: frees uncovered_foreign_keys() (missing_fk_index_count() stays known). With Rows::Kept:
  // nothing.
  void done_with_uncovered_foreign_keys();

private:
  void require_full_catalog() const;
  // The column statistics of the tables table_health() and index_usage() look at, read once for both.
  const catalog::ColumnCatalog &columns();

  TimestampTz now_;
  Catalog catalog_;
  Rows rows_;
  catalog::ClassCatalog::Names names_;
  std::optional<catalog::ClassCatalog> classes_;
  std::optional<std::deque<catalog::ForeignKey>> uncovered_foreign_keys_;
  std::optional<std::size_t> missing_fk_index_count_;
  std::optional<catalog::IndexCatalog> indexes_;
  std::optional<catalog::Inheritance> inheritance_;
  std::unique_ptr<catalog::DatabaseFiles> listing_; // started by the constructor for the summaries
  std::unique_ptr<catalog::RelationSizer> sizer_;
  bool statistics_untouched_; // at the start of the call: a bulk read of the statistics gives what pg_stat_get_* would
  std::optional<catalog::RelationStatistics> statistics_;
  std::optional<catalog::ColumnCatalog> columns_;
  std::optional<std::vector<TableHealth>> tables_;
  std::optional<IndexUsageRows> index_usage_;
  std::optional<std::vector<SequenceHealth>> sequences_;
  std::optional<std::vector<catalog::Backend>> backends_;
  std::optional<std::vector<BlockedQuery>> blocked_;
  std::optional<std::vector<catalog::DatabaseAge>> databases_;
  std::optional<std::vector<catalog::ReplicationSlotFacts>> slots_;
  std::optional<catalog::DatabaseActivity> database_activity_;
};

} // namespace pgo::health
