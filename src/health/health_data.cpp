#include "health/health_data.hpp"

#include <algorithm>
#include <stdexcept>

#include "catalog/uncovered_foreign_keys.hpp"
#include "settings.hpp"

extern "C" {
#include "utils/timestamp.h"
}

namespace pgo::health {

HealthData::HealthData(Catalog catalog, Rows rows, catalog::ClassCatalog::Names names)
    : now_(GetCurrentTimestamp()), catalog_(catalog), rows_(rows), names_(names),
      statistics_untouched_(catalog::statistics_untouched_in_transaction()) {}

const catalog::RelationStatistics &HealthData::statistics() {
  // This call's own reads through pg_stat_get_* are of databases, never of relations, so the relations' figures
  // this transaction may have cached are those it had before the call began.
  if (!statistics_)
    statistics_.emplace(catalog::RelationStatistics::read(statistics_untouched_));
  return *statistics_;
}

void HealthData::require_full_catalog() const {
  if (catalog_ != Catalog::Full)
    throw std::logic_error("pg_optimize: health data gathered for alerts was asked for the full catalog");
}

const catalog::ClassCatalog &HealthData::classes() {
  if (!classes_)
    classes_.emplace(catalog_ == Catalog::Full ? catalog::ClassCatalog::read(nullptr, names_)
                                               : catalog::ClassCatalog::read(catalog::kTablesAndSequences, names_));
  return *classes_;
}

const std::vector<catalog::ForeignKey> &HealthData::foreign_keys() {
  require_full_catalog();
  if (!foreign_keys_)
    foreign_keys_.emplace(catalog::read_user_foreign_keys());
  return *foreign_keys_;
}

const catalog::IndexCatalog &HealthData::indexes() {
  require_full_catalog();
  if (!indexes_)
    indexes_.emplace(catalog::IndexCatalog::read());
  return *indexes_;
}

const catalog::Inheritance &HealthData::inheritance() {
  require_full_catalog();
  if (!inheritance_)
    inheritance_.emplace(catalog::Inheritance::read());
  return *inheritance_;
}

catalog::RelationSizer &HealthData::sizer() {
  require_full_catalog();
  if (!sizer_)
    sizer_ = std::make_unique<catalog::RelationSizer>(classes(), indexes(), /*wait_for_locks=*/false);
  return *sizer_;
}

std::vector<catalog::IndexDetails> &HealthData::index_details() {
  // Read apart from indexes(), in a second scan of pg_index: one scan for both (tried) built the IndexCatalog's index
  // shapes while the details' constraint names were held, and raised the peak memory of metrics() by 10 to 20 MB at
  // 100,000 tables, more than the second scan is worth.
  if (!index_details_)
    index_details_.emplace(catalog::read_index_details(classes(), inheritance()));
  return *index_details_;
}

const catalog::ColumnCatalog &HealthData::columns() {
  if (!columns_) {
    std::unordered_set<Oid> wanted = health_tables(classes());
    for (Oid t : indexed_tables(index_details()))
      wanted.insert(t);
    columns_.emplace(catalog::ColumnCatalog::read(wanted));
  }
  return *columns_;
}

const std::vector<TableHealth> &HealthData::tables() {
  require_full_catalog();
  if (!tables_)
    tables_.emplace(table_health(classes(), indexes(), inheritance(), columns(), statistics(), sizer()));
  return *tables_;
}

const std::vector<IndexUsage> &HealthData::index_usage() {
  require_full_catalog();
  if (!index_usage_) {
    const catalog::ColumnCatalog &column_stats = columns(); // before the details move: it reads them
    // The details move into the rows; read again should the rows be dropped and asked for once more.
    std::vector<catalog::IndexDetails> details = std::move(index_details());
    index_details_.reset();
    index_usage_.emplace(health::index_usage(classes(), inheritance(), std::move(details), foreign_keys(), column_stats,
                                             statistics(), sizer()));
  }
  return *index_usage_;
}

void HealthData::done_with_tables() {
  if (rows_ == Rows::Dropped)
    tables_.reset();
}

void HealthData::done_with_index_usage() {
  if (rows_ == Rows::Dropped)
    index_usage_.reset();
}

const std::deque<catalog::ForeignKey> &HealthData::uncovered_foreign_keys() {
  require_full_catalog();
  if (!uncovered_foreign_keys_)
    uncovered_foreign_keys_.emplace(catalog::read_uncovered_foreign_keys(classes()));
  return *uncovered_foreign_keys_;
}

std::size_t HealthData::missing_fk_index_count() {
  // The keys whose table the pg_class scan holds, as missing_fk_indexes() keeps them.
  const catalog::ClassCatalog &catalog = classes();
  return static_cast<std::size_t>(
      std::count_if(uncovered_foreign_keys().begin(), uncovered_foreign_keys().end(),
                    [&](const catalog::ForeignKey &fk) { return catalog.find(fk.table) != nullptr; }));
}

const std::vector<SequenceHealth> &HealthData::sequences() {
  if (!sequences_)
    sequences_.emplace(sequence_health(
        classes(), std::min<double>(settings::alert_sequence_pct, settings::alert_sequence_critical_pct)));
  return *sequences_;
}

const std::vector<catalog::Backend> &HealthData::backends() {
  if (!backends_)
    backends_.emplace(catalog::read_backends());
  return *backends_;
}

const std::vector<BlockedQuery> &HealthData::blocked() {
  if (!blocked_)
    blocked_.emplace(blocked_queries(backends(), now_));
  return *blocked_;
}

const std::vector<catalog::DatabaseAge> &HealthData::databases() {
  if (!databases_)
    databases_.emplace(catalog::database_ages());
  return *databases_;
}

const std::vector<catalog::ReplicationSlotFacts> &HealthData::slots() {
  if (!slots_)
    slots_.emplace(catalog::replication_slots());
  return *slots_;
}

const catalog::DatabaseActivity &HealthData::database_activity() {
  if (!database_activity_)
    database_activity_.emplace(catalog::current_database_activity());
  return *database_activity_;
}

} // namespace pgo::health
