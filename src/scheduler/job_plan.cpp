#include "scheduler/job_plan.hpp"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "catalog/names.hpp"
#include "catalog/table_stats.hpp"
#include "core/error.hpp"
#include "health/table_health.hpp"
#include "pg/compat.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"
#include "scheduler/scheduler_settings.hpp"
#include "scheduler/security.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace pgo::scheduler {
namespace {

// The schema-qualified name of a relation the job acts on, or a clear ERROR when it is gone.
std::string existing(std::optional<std::string> name, Oid relid) {
  if (name)
    return *name;
  throw Error("42P01", fmt::format("relation with OID {} no longer exists", relid), "",
              "Point the job at an existing relation with optimize.alter_job(name, target => ...), or remove it.");
}

std::string name_of(const catalog::ClassCatalog &classes, Oid relid) {
  return existing(catalog::qualified_name(classes, relid), relid);
}

bool maintainable_by(Oid relid, Oid role) {
  return pg::guard([&] { return pg::compat::can_maintain(relid, role); });
}

// Whether REFRESH ... CONCURRENTLY can take the materialized view: it has a valid unique index on plain columns (no
// expression) without a predicate. Its indexes are found through pg_index's index on indrelid, not a scan of every
// index of the database.
bool has_unique_plain_index(Oid view) {
  return pg::guard([&] {
    bool found = false;
    Relation pg_index = table_open(IndexRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(view));
    SysScanDesc scan = systable_beginscan(pg_index, IndexIndrelidIndexId, true, nullptr, 1, &key);
    while (!found) {
      const HeapTuple tuple = systable_getnext(scan);
      if (tuple == nullptr)
        break;
      const auto *index = reinterpret_cast<Form_pg_index>(GETSTRUCT(tuple));
      found = index->indisunique && index->indisvalid && heap_attisnull(tuple, Anum_pg_index_indexprs, nullptr) &&
              heap_attisnull(tuple, Anum_pg_index_indpred, nullptr);
    }
    systable_endscan(scan);
    table_close(pg_index, AccessShareLock);
    return found;
  });
}

std::vector<JobAction> table_actions(core::JobKind kind, Oid target, Oid owner, const JobOptions &options) {
  std::vector<JobAction> out;
  if (OidIsValid(target)) { // one name from the system caches, no catalog scan
    JobAction a;
    a.relation = target;
    a.planned = core::targeted_action(kind, existing(catalog::qualified_name(target), target), options.vacuum);
    out.push_back(std::move(a));
    return out;
  }
  // Autovacuum's verdicts need no size, index or column statistics: a partial catalog without names and the tables'
  // activity statistics. Only the tables due for what the job does become candidates, so the owner's right to
  // maintain and a name are looked up for those alone (each lookup keeps a pg_class tuple in this backend's cache).
  const bool statistics_untouched = catalog::statistics_untouched_in_transaction();
  const catalog::ClassCatalog classes =
      catalog::ClassCatalog::read(health::kMaintainedRelkinds, catalog::ClassCatalog::Names::Skip);
  const catalog::RelationStatistics stats =
      catalog::RelationStatistics::read(statistics_untouched, health::table_health_statistics_filter(classes));
  std::vector<core::TableCandidate> candidates;
  std::unordered_map<std::string, Oid> by_name;
  health::for_each_maintenance_verdict(classes, stats, [&](Oid table, const health::MaintenanceVerdict &t) {
    core::TableCandidate c;
    c.vacuum_needed = t.vacuum_needed;
    c.analyze_needed = t.analyze_needed;
    c.freeze_due = t.freeze_due;
    c.xid_age = t.xid_age.value_or(0);
    c.dead_pct = t.dead_pct;
    c.dead_tuples = t.activity.dead_tuples;
    c.modified_since_analyze = t.activity.mod_since_analyze;
    c.inserted_since_vacuum = t.activity.ins_since_vacuum;
    if (!core::table_maintenance_due(kind, c) || !maintainable_by(table, owner))
      return;
    c.name = name_of(classes, table);
    by_name[c.name] = table;
    candidates.push_back(std::move(c));
  });
  for (core::PlannedAction &p : core::plan_table_maintenance(kind, candidates, options.vacuum)) {
    JobAction a;
    a.relation = by_name[p.object];
    a.planned = std::move(p);
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<JobAction> refresh_actions(Oid target, Oid owner, bool only_unpopulated) {
  const catalog::ClassCatalog classes = catalog::ClassCatalog::read("m"); // the materialized views alone
  std::vector<std::pair<std::string, Oid>> views;
  for (const auto &[oid, row] : classes.rows()) {
    if (row.relkind != RELKIND_MATVIEW || row.excluded)
      continue;
    if (OidIsValid(target) ? oid != target : (!maintainable_by(oid, owner) || (only_unpopulated && row.populated)))
      continue;
    views.emplace_back(name_of(classes, oid), oid);
  }
  if (OidIsValid(target) && views.empty())
    throw Error("42809", fmt::format("relation with OID {} is not a materialized view", target), "",
                "refresh_materialized_views jobs take a materialized view as target, or none for all of them.");
  std::sort(views.begin(), views.end());
  std::vector<JobAction> out;
  for (const auto &[name, oid] : views) {
    JobAction a;
    a.relation = oid;
    a.planned = core::refresh_action(name, classes.find(oid)->populated, has_unique_plain_index(oid));
    out.push_back(std::move(a));
  }
  return out;
}

JobAction statement(const char *action, const char *object, const char *reason, std::string sql) {
  JobAction a;
  a.planned.action = action;
  a.planned.object = object;
  a.planned.reason = reason;
  a.planned.sql = std::move(sql);
  return a;
}

} // namespace

core::JobKind job_kind(const std::string &name) {
  const auto kind = core::parse_job_kind(name);
  if (!kind)
    throw Error(sqlstate::kInvalidParameterValue, fmt::format("unknown job kind \"{}\"", name), "",
                "The kinds are: " + core::job_kind_names() + ".");
  return *kind;
}

JobOptions parse_job_options(const std::string &kind, const std::string &options_json) {
  JobOptions o;
  pg::Spi spi;
  if (spi.run("SELECT pg_catalog.jsonb_typeof($1::pg_catalog.jsonb)", {options_json}, true).scalar().value_or("") !=
      "object")
    throw Error(sqlstate::kInvalidParameterValue, "job options must be a JSON object", "",
                "For example '{\"freeze\": true}', or '{}' for none.");
  // Each key with its JSON type and value as text; the checks below are ours, the parsing is PostgreSQL's.
  const pg::SqlResult r =
      spi.run("SELECT key, pg_catalog.jsonb_typeof(value), value OPERATOR(pg_catalog.#>>) '{}'::pg_catalog.text[] "
              "FROM pg_catalog.jsonb_each($1::pg_catalog.jsonb) ORDER BY key",
              {options_json}, true);
  const bool vacuum_like = kind == "vacuum_analyze" || kind == "vacuum" || kind == "analyze";
  const std::string valid = "freeze (boolean), max_tables (integer >= 1), cost_delay_ms (number >= 0), cost_limit "
                            "(integer 1-10000), for the vacuum_analyze, vacuum and analyze kinds";
  for (const pg::SqlRow &row : r.rows) {
    const std::string key = row[0].value_or(""), type = row[1].value_or(""), value = row[2].value_or("");
    auto bad = [&](const char *what) {
      return Error(sqlstate::kInvalidParameterValue, fmt::format("job option \"{}\" {}", key, what), "",
                   "Valid options: " + valid + ".");
    };
    if (!vacuum_like)
      throw bad(fmt::format("does not apply to {} jobs", kind).c_str());
    if (key == "freeze") {
      if (type != "boolean")
        throw bad("must be true or false");
      o.vacuum.freeze = value == "true";
    } else if (key == "max_tables") {
      if (type != "number" || value.find_first_not_of("0123456789") != std::string::npos || value.size() > 9 ||
          std::stoi(value) < 1)
        throw bad("must be a whole number of at least 1");
      o.vacuum.max_tables = std::stoi(value);
    } else if (key == "cost_delay_ms") {
      if (type != "number" || std::stod(value) < 0 || std::stod(value) > 100)
        throw bad("must be a number of milliseconds from 0 to 100");
      o.cost_delay_ms = std::stod(value);
    } else if (key == "cost_limit") {
      if (type != "number" || value.find_first_not_of("0123456789") != std::string::npos || value.size() > 5 ||
          std::stoi(value) < 1 || std::stoi(value) > 10000)
        throw bad("must be a whole number from 1 to 10000");
      o.cost_limit = std::stoi(value);
    } else {
      throw Error(sqlstate::kInvalidParameterValue, fmt::format("unknown job option \"{}\"", key), "",
                  "Valid options: " + valid + ".");
    }
  }
  return o;
}

void check_job_row(const Job &job) {
  if (!pg::guard([&] { return SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(job.owner)); }))
    throw Error("42704", fmt::format("the owner of job \"{}\" (role OID {}) no longer exists", job.name, job.owner), "",
                "Remove the job with optimize.unschedule(name), or schedule it again as an existing role.");
  job_kind(job.kind);
  check_kind_allowed_for(job.kind.c_str(), job.owner);
}

std::vector<JobAction> plan_job(const Job &job) {
  const core::JobKind kind = job_kind(job.kind);
  const JobOptions options = parse_job_options(job.kind, job.options);
  if (OidIsValid(job.target)) {
    const char relkind = pg::guard([&] { return get_rel_relkind(job.target); });
    if (relkind == '\0')
      throw Error("42P01", fmt::format("the target of job \"{}\" (OID {}) no longer exists", job.name, job.target), "",
                  "Point the job at an existing relation with optimize.alter_job(name, target => ...), or remove it "
                  "with optimize.unschedule(name).");
    if (!maintainable_by(job.target, job.owner))
      throw Error("42501", fmt::format("the owner of job \"{}\" may not maintain its target any more", job.name), "",
                  "Only the table's owner (or, from PostgreSQL 17, a role with MAINTAIN on it) can schedule work on "
                  "it.");
  }
  switch (kind) {
  case core::JobKind::VacuumAnalyze:
  case core::JobKind::Vacuum:
  case core::JobKind::Analyze:
    return table_actions(kind, job.target, job.owner, options);
  case core::JobKind::RefreshMaterializedViews:
    return refresh_actions(job.target, job.owner, false);
  case core::JobKind::Snapshot:
    return {
        statement("snapshot", "optimize.snapshots", "records optimize.metrics()",
                  "INSERT INTO optimize.snapshots (taken_at, metric, value) SELECT pg_catalog.now(), m.metric, m.value "
                  "FROM optimize.metrics() m WHERE m.value IS NOT NULL ON CONFLICT DO NOTHING")};
  case core::JobKind::PartitionMaintenance: { // run as the job's owner; the pass pins search_path and lock_timeout
    const std::string table = OidIsValid(job.target) ? existing(catalog::qualified_name(job.target), job.target)
                                                     : "the owner's tables in optimize.partition_config";
    const std::string arg =
        OidIsValid(job.target) ? fmt::format("{}::pg_catalog.oid::pg_catalog.regclass", job.target) : "NULL";
    return {statement("partition_maintenance", table.c_str(), "premake and retention of optimize.manage_partitions()",
                      fmt::format("SELECT pg_catalog.count(*) FROM optimize.run_partition_maintenance({})", arg))};
  }
  case core::JobKind::Cleanup: {
    const int per_job = settings::history_per_job;
    return {
        statement(
            "cleanup", "optimize.job_runs", "runs older than pg_optimize.history_retention",
            fmt::format("DELETE FROM optimize.job_runs WHERE status OPERATOR(pg_catalog.<>) 'running' AND started_at "
                        "OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-) "
                        "'{} seconds'::pg_catalog.interval)",
                        settings::history_retention_s)),
        statement("cleanup", "optimize.job_runs", "runs beyond pg_optimize.history_per_job per job",
                  fmt::format("DELETE FROM optimize.job_runs r USING (SELECT id, pg_catalog.row_number() OVER "
                              "(PARTITION BY job ORDER BY started_at DESC, id DESC) AS n FROM optimize.job_runs "
                              "WHERE status OPERATOR(pg_catalog.<>) 'running') o WHERE r.id "
                              "OPERATOR(pg_catalog.=) o.id AND o.n OPERATOR(pg_catalog.>) {}",
                              per_job)),
        statement("cleanup", "optimize.snapshots", "snapshots older than pg_optimize.snapshot_retention",
                  fmt::format("DELETE FROM optimize.snapshots WHERE taken_at OPERATOR(pg_catalog.<) (pg_catalog.now() "
                              "OPERATOR(pg_catalog.-) '{} seconds'::pg_catalog.interval)",
                              settings::snapshot_retention_s))};
  }
  }
  return {};
}

std::vector<JobAction> plan_maintenance(Oid role) {
  std::vector<JobAction> out = table_actions(core::JobKind::VacuumAnalyze, InvalidOid, role, JobOptions{});
  for (JobAction &a : refresh_actions(InvalidOid, role, true))
    out.push_back(std::move(a));
  return out;
}

} // namespace pgo::scheduler
