#include "health/health_data.hpp"

#include <algorithm>
#include <stdexcept>

#include "catalog/uncovered_foreign_keys.hpp"
#include "core/free_memory.hpp"
#include "settings.hpp"

extern "C" {
#include "utils/timestamp.h"
}

namespace pgo::health {

HealthData::HealthData(Catalog catalog, Rows rows, catalog::ClassCatalog::Names names)
    : now_(GetCurrentTimestamp()), catalog_(catalog), rows_(rows), names_(names),
      statistics_untouched_(catalog::statistics_untouched_in_transaction()) {
  // The summaries size every relation: the database's directories are read on their own thread while the catalogs
  // are.
  if (catalog == Catalog::Full && rows == Rows::Dropped)
    listing_ = catalog::DatabaseFiles::start_in_background(settings::measure_thread_count());
}

const catalog::RelationStatistics &HealthData::statistics() {
  require_full_catalog();
  // This call's own reads through pg_stat_get_* are of databases, never of relations, so the relations' figures
  // this transaction may have cached are those it had before the call began. Only the relations table_health() and
  // index_usage() look up: tables outside the excluded schemas, their indexes (every index index_usage() counts the
  // scans of) and TOAST tables.
  if (!statistics_)
    statistics_.emplace(
        catalog::RelationStatistics::read(statistics_untouched_, table_health_statistics_filter(classes())));
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
  if (!sizer_) {
    sizer_ = std::make_unique<catalog::RelationSizer>(classes(), indexes(), /*wait_for_locks=*/false);
    sizer_->use_listing(std::move(listing_));
  }
  return *sizer_;
}

const catalog::ColumnCatalog &HealthData::columns() {
  // The tables table_health() looks at include every table whose index index_usage() estimates the bloat of (a btree
  // index of an ordinary table or materialized view): no need to read the indexes first to know their tables.
  if (!columns_)
    columns_.emplace(catalog::ColumnCatalog::read(health_tables(classes())));
  return *columns_;
}

const std::vector<TableHealth> &HealthData::tables() {
  require_full_catalog();
  if (!tables_)
    tables_.emplace(table_health(classes(), indexes(), inheritance(), columns(), statistics(), sizer()));
  return *tables_;
}

void HealthData::for_each_table(const std::function<void(const TableHealth &)> &visit) {
  require_full_catalog();
  if (tables_ || rows_ == Rows::Kept) {
    for (const TableHealth &t : tables())
      visit(t);
    return;
  }
  // Built one at a time and not kept: what is held is (size, OID) a table, not a row.
  table_health(classes(), indexes(), inheritance(), columns(), statistics(), sizer(),
               [&](TableHealth &&t) { visit(t); });
}

const IndexUsageRows &HealthData::index_usage() {
  require_full_catalog();
  if (!index_usage_) {
    // Each index goes into its compact row as pg_index is read (no vector of their details is held), and each foreign
    // key is covered as pg_constraint is read, as the index_usage view does.
    if (rows_ == Rows::Dropped && statistics_) {
      // The tables' pass came first (see Rows::Dropped): only the indexes' counters are read from here on.
      const catalog::ClassCatalog &catalog = classes();
      statistics_->retain([&](Oid relation) {
        const catalog::ClassRow *row = catalog.find(relation);
        return row != nullptr && row->relkind == RELKIND_INDEX && !row->excluded;
      });
      // What the tables' counters took goes back to the system before the indexes' rows are built.
      core::return_free_memory();
    }
    IndexUsageInput input(classes());
    input.reserve(catalog::reported_index_count(classes()));
    catalog::read_index_details(classes(), inheritance(), [&](catalog::IndexDetails &&d) { input.add(d); });
    input.count_scans(inheritance(), statistics());
    if (rows_ == Rows::Dropped)
      statistics_.reset(); // the tables' pass came first (see Rows::Dropped): nothing else of this call reads them
    input.measure_sizes(inheritance(), sizer());
    input.cover_user_foreign_keys();
    index_usage_.emplace(judge_index_usage(std::move(input), columns()));
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
  if (!uncovered_foreign_keys_) {
    uncovered_foreign_keys_.emplace(catalog::read_uncovered_foreign_keys(classes()));
    // The keys whose table the pg_class scan holds, as missing_fk_indexes() keeps them.
    const catalog::ClassCatalog &catalog = classes();
    missing_fk_index_count_ = static_cast<std::size_t>(
        std::count_if(uncovered_foreign_keys_->begin(), uncovered_foreign_keys_->end(),
                      [&](const catalog::ForeignKey &fk) { return catalog.find(fk.table) != nullptr; }));
  }
  return *uncovered_foreign_keys_;
}

std::size_t HealthData::missing_fk_index_count() {
  if (!missing_fk_index_count_)
    uncovered_foreign_keys();
  return *missing_fk_index_count_;
}

void HealthData::done_with_uncovered_foreign_keys() {
  if (rows_ == Rows::Dropped)
    uncovered_foreign_keys_.reset(); // their count stays
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
