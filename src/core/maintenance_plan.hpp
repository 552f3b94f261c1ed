// What a maintenance job does, decided without PostgreSQL: the job kinds, which tables an automatic VACUUM/ANALYZE
// takes and in which order, and the exact statements it runs.
//
// Order, as autovacuum would want it when there is not time for everything: tables whose transaction IDs are past
// autovacuum_freeze_max_age first (oldest first: a wraparound shutdown stops every write), then tables due for
// VACUUM by their share of dead tuples, then tables due only for ANALYZE by rows changed. Urgent (freeze) work waits
// for its lock; everything else uses SKIP_LOCKED so that it never queues behind, or in front of, production locks.
#pragma once

#include "core/postgres_free.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgo::core {

enum class JobKind {
  VacuumAnalyze,
  Vacuum,
  Analyze,
  RefreshMaterializedViews,
  Snapshot,
  Cleanup,
  PartitionMaintenance
};

// nullopt for an unknown name.
std::optional<JobKind> parse_job_kind(std::string_view name);
const char *job_kind_name(JobKind kind);
// "vacuum_analyze, vacuum, analyze, refresh_materialized_views, snapshot, cleanup", for hints.
std::string job_kind_names();
// Kinds that act on a table or materialized view (and so may have a target).
bool job_kind_takes_target(JobKind kind);

struct TableCandidate {
  std::string name; // qualified and quoted, ready for SQL
  bool vacuum_needed = false;
  bool analyze_needed = false;
  bool freeze_due = false;
  std::int64_t xid_age = 0;
  double dead_pct = 0;
  std::int64_t dead_tuples = 0;
  std::int64_t modified_since_analyze = 0;
  std::int64_t inserted_since_vacuum = 0;
};

struct PlannedAction {
  std::string action; // "vacuum_freeze", "vacuum", "vacuum_analyze", "analyze", "refresh"
  std::string object;
  std::string reason;
  std::string sql;
  bool urgent = false;
};

struct VacuumOptions {
  bool freeze = false;           // FREEZE every table the job vacuums
  std::optional<int> max_tables; // stop after this many tables
};

// Whether a job of `kind` has something to do on the table: a VACUUM or a freeze for the vacuum kinds, an ANALYZE
// for the analyze kinds. The tables plan_table_maintenance() keeps; a caller may leave the others out beforehand.
bool table_maintenance_due(JobKind kind, const TableCandidate &t);

// The actions of an automatic vacuum_analyze / vacuum / analyze job over the given tables, in order. Tables that need
// nothing the kind does are left out.
std::vector<PlannedAction> plan_table_maintenance(JobKind kind, const std::vector<TableCandidate> &tables,
                                                  const VacuumOptions &options);

// The statement of a job with an explicit target (it waits for its lock, bounded by the job's lock_timeout).
PlannedAction targeted_action(JobKind kind, const std::string &name, const VacuumOptions &options);

// REFRESH MATERIALIZED VIEW [CONCURRENTLY] name: CONCURRENTLY needs a populated view with a unique index on plain
// columns, without predicate; readers are not blocked then.
PlannedAction refresh_action(const std::string &name, bool populated, bool has_unique_plain_index);

// VACUUM/ANALYZE statement text, e.g. "VACUUM (ANALYZE, SKIP_LOCKED) public.t".
std::string maintenance_sql(JobKind kind, const std::string &name, bool skip_locked, bool freeze);

// Exponential backoff after `failures` consecutive failures (1 → base): base * 2^(failures-1), at most cap.
std::int64_t retry_delay_seconds(int failures, std::int64_t base_seconds, std::int64_t cap_seconds);

} // namespace pgo::core
