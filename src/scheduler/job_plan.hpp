// What a job will do, worked out in the database it runs in: the tables an automatic VACUUM/ANALYZE takes (by
// autovacuum's own formulas, only tables the job's owner may maintain), the materialized views to refresh, the
// statements of snapshot and cleanup jobs. Needs a transaction.
#pragma once

#include <string>
#include <vector>

#include "core/maintenance_plan.hpp"
#include "pg/postgres.hpp"
#include "scheduler/job_store.hpp"

namespace pgo::scheduler {

struct JobAction {
  core::PlannedAction planned;
  Oid relation = InvalidOid; // the table or view acted on, if any
};

// The kind of a job by name; throws pgo::Error (22023, with the list of kinds) for an unknown one.
core::JobKind job_kind(const std::string &name);

// Checks a job row as it stands, before anything of it runs (a superuser may have written it by hand): the owner
// exists, the kind is known, snapshot and cleanup jobs belong to a superuser. Throws pgo::Error with the reason.
void check_job_row(const Job &job);

// Throws pgo::Error for a job that cannot run as it stands (unknown kind, target gone or of the wrong kind, owner
// without the right to maintain it, bad options); the caller records it as skipped.
std::vector<JobAction> plan_job(const Job &job);

// Everything optimize.run_maintenance() would do now as `role`: tables due for VACUUM/ANALYZE, never-populated
// materialized views.
std::vector<JobAction> plan_maintenance(Oid role);

// Options of VACUUM-type jobs, from the job's jsonb options; throws pgo::Error (22023) naming an unknown key or a bad
// value. The keys: freeze (boolean), max_tables (integer >= 1), cost_delay_ms (number >= 0), cost_limit (1-10000).
struct JobOptions {
  core::VacuumOptions vacuum;
  std::optional<double> cost_delay_ms;
  std::optional<int> cost_limit;
};
JobOptions parse_job_options(const std::string &kind, const std::string &options_json);

} // namespace pgo::scheduler
