// The SQL API of partition maintenance: optimize.manage_partitions(), unmanage_partitions() and
// run_partition_maintenance(). optimize.partition_config grants no DML to any role: these functions check the caller
// owns the table, check every argument, and only then write the registration (as the owner of the config table).
#include <fmt/format.h>

#include "catalog/names.hpp"
#include "core/error.hpp"
#include "partition/maintenance.hpp"
#include "pg/barrier.hpp"
#include "pg/fmgr_call.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"
#include "pg/srf.hpp"

extern "C" {
#include "access/xlog.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

namespace pgo::partition {
namespace {

void require_primary() {
  if (pg::guard([] { return RecoveryInProgress(); }))
    throw Error("25006", "cannot maintain partitions during recovery", "", "Run it on the primary.");
}

Oid table_arg(FunctionCallInfo fcinfo) {
  if (PG_ARGISNULL(0))
    throw Error("22004", "table must not be NULL", "", "Name a RANGE-partitioned table, for example 'events'.");
  return PG_GETARG_OID(0);
}

std::string table_name(Oid relid) { return catalog::qualified_name(relid).value_or(fmt::format("with OID {}", relid)); }

void require_owner(const PartitionedTable &t) {
  if (!owns(t.oid, GetUserId()))
    throw Error("42501", fmt::format("must be owner of table {} to manage its partitions", t.qualified), "",
                "Partition maintenance creates and drops partitions with its owner's rights.");
}

void check_positive(pg::Spi &spi, const std::optional<std::string> &interval, const char *name) {
  if (interval &&
      spi.run("SELECT $1::pg_catalog.interval OPERATOR(pg_catalog.<=) '0'::pg_catalog.interval", {*interval}, true)
              .scalar()
              .value_or("f") == "t")
    throw Error("22023", fmt::format("{} must be a positive interval, not {}", name, *interval), "",
                "For example retention => '30 days'.");
}

// The registration as given: every check before anything is written.
Registration checked_registration(pg::Spi &spi, FunctionCallInfo fcinfo, const PartitionedTable &t) {
  Registration g;
  g.parent = t.oid;
  g.interval = pg::interval_argument(fcinfo, 1);
  if (PG_ARGISNULL(2))
    throw Error("22004", "premake must not be NULL", "", "premake is the number of partitions made ahead, e.g. 4.");
  g.premake = PG_GETARG_INT32(2);
  if (g.premake < 0 || g.premake > 1000)
    throw Error("22023", fmt::format("premake must be from 0 to 1000, not {}", g.premake), "",
                "premake is the number of partitions made ahead of the current one, for example 4.");
  g.retention = pg::interval_argument(fcinfo, 3);
  g.retention_mode = pg::text_argument(fcinfo, 4).value_or("");
  if (g.retention_mode != "drop" && g.retention_mode != "detach")
    throw Error("22023", fmt::format("retention_mode must be 'drop' or 'detach', not '{}'", g.retention_mode), "",
                "'drop' drops partitions past the retention; 'detach' detaches them and keeps them as tables.");
  if (!PG_ARGISNULL(5))
    g.step = PG_GETARG_INT64(5);
  if (!PG_ARGISNULL(6))
    g.retention_values = PG_GETARG_INT64(6);
  check_positive(spi, g.retention, "retention");
  if (g.retention_values && *g.retention_values <= 0)
    throw Error("22023", fmt::format("retention_values must be positive, not {}", *g.retention_values));
  registration_step(spi, t, g); // 42804 / 22023 for an interval or step that does not suit the key
  return g;
}

std::string job_name(const PartitionedTable &t) {
  std::string name = "partition_maintenance " + t.qualified;
  if (name.size() > 200 || name.find_first_of("\n\r\t") != std::string::npos)
    name = fmt::format("partition_maintenance {}", t.oid);
  return name;
}

// An hourly partition_maintenance job for the table, through optimize.schedule() (the caller's own job, checked
// like any other), unless the caller has one for it already.
void ensure_job(pg::Spi &spi, const PartitionedTable &t) {
  const pg::SqlResult r =
      spi.run("SELECT 1 FROM optimize.jobs WHERE kind OPERATOR(pg_catalog.=) 'partition_maintenance' "
              "AND target::pg_catalog.oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid",
              {std::to_string(t.oid)}, true);
  if (!r.rows.empty())
    return;
  spi.run("SELECT optimize.schedule($1, 'partition_maintenance', '1 hour', $2::pg_catalog.oid::pg_catalog.regclass, "
          "max_runtime => '30 minutes')",
          {job_name(t), std::to_string(t.oid)});
}

Datum pass_rows(FunctionCallInfo fcinfo, const std::vector<PassRow> &rows) {
  pg::ResultSet out(fcinfo);
  for (const PassRow &r : rows) {
    out.begin_row();
    out.add_oid(r.parent);
    if (r.partition.empty())
      out.add_null();
    else
      out.add_text(r.partition);
    out.add_text(r.action);
    out.add_text(r.status);
    out.add_text(r.detail);
    out.end_row();
  }
  return out.done();
}

} // namespace
} // namespace pgo::partition

using namespace pgo;
using namespace pgo::partition;

// optimize.manage_partitions(table, interval, premake, retention, retention_mode, step, retention_values)
PGO_FUNCTION(pgo_manage_partitions) {
  require_primary();
  const Oid relid = table_arg(fcinfo);
  std::vector<PassRow> rows;
  {
    pg::Spi spi;
    const PartitionedTable t = read_partitioned_table(spi, relid);
    require_owner(t);
    const Registration g = checked_registration(spi, fcinfo, t);
    write_config(
        spi,
        "INSERT INTO optimize.partition_config AS c (parent, key_column, part_interval, part_step, premake, retention, "
        "retention_values, retention_mode, owner) VALUES ($1::pg_catalog.oid::pg_catalog.regclass, $2, "
        "$3::pg_catalog.interval, $4::pg_catalog.int8, $5::pg_catalog.int4, $6::pg_catalog.interval, "
        "$7::pg_catalog.int8, $8, $9::pg_catalog.oid::pg_catalog.regrole) ON CONFLICT (parent) DO UPDATE SET "
        "key_column = excluded.key_column, part_interval = excluded.part_interval, part_step = excluded.part_step, "
        "premake = excluded.premake, retention = excluded.retention, retention_values = excluded.retention_values, "
        "retention_mode = excluded.retention_mode, owner = excluded.owner",
        {std::to_string(relid), t.key_column, g.interval, g.step ? pg::SqlValue(std::to_string(*g.step)) : std::nullopt,
         std::to_string(g.premake), g.retention,
         g.retention_values ? pg::SqlValue(std::to_string(*g.retention_values)) : std::nullopt, g.retention_mode,
         std::to_string(GetUserId())});
    ensure_job(spi, t);
    rows = maintain(spi, read_registrations(spi, relid).at(0));
  }
  return pass_rows(fcinfo, rows);
}

PGO_FUNCTION(pgo_unmanage_partitions) {
  require_primary();
  const Oid relid = table_arg(fcinfo);
  pg::Spi spi;
  if (read_registrations(spi, relid).empty())
    throw Error("42704", fmt::format("table {} is not managed", table_name(relid)), "",
                "SELECT parent FROM optimize.partition_config; lists the managed tables you can see.");
  if (!owns(relid, GetUserId()))
    throw Error("42501", "must be owner of the table to stop managing its partitions");
  write_config(spi,
               "DELETE FROM optimize.partition_config WHERE parent::pg_catalog.oid OPERATOR(pg_catalog.=) "
               "$1::pg_catalog.oid",
               {std::to_string(relid)});
  const pg::SqlResult jobs =
      spi.run("SELECT name FROM optimize.jobs WHERE kind OPERATOR(pg_catalog.=) 'partition_maintenance' "
              "AND target::pg_catalog.oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid",
              {std::to_string(relid)}, true);
  for (const pg::SqlRow &job : jobs.rows)
    spi.run("SELECT optimize.unschedule($1)", {job[0]});
  return BoolGetDatum(true);
}

// optimize.run_partition_maintenance(table DEFAULT NULL): one pass for the table, or for every registered table the
// caller owns.
PGO_FUNCTION(pgo_run_partition_maintenance) {
  require_primary();
  const Oid relid = PG_ARGISNULL(0) ? InvalidOid : PG_GETARG_OID(0);
  std::vector<PassRow> rows;
  {
    pg::Spi spi;
    std::vector<Registration> registrations = read_registrations(spi, relid);
    if (OidIsValid(relid) && registrations.empty())
      throw Error("42704", fmt::format("table {} is not managed", table_name(relid)), "",
                  "Register it first with optimize.manage_partitions().");
    if (OidIsValid(relid) && !owns(relid, GetUserId()))
      throw Error("42501", fmt::format("must be owner of table {} to maintain its partitions", table_name(relid)), "",
                  "A pass creates and drops partitions with the rights of the table's owner.");
    for (const Registration &g : registrations) {
      if (!exists(g.parent)) { // the table was dropped: its registration goes with it
        if (g.owner == GetUserId() || superuser()) {
          write_config(spi,
                       "DELETE FROM optimize.partition_config WHERE parent::pg_catalog.oid OPERATOR(pg_catalog.=) "
                       "$1::pg_catalog.oid",
                       {std::to_string(g.parent)});
          rows.push_back(PassRow{g.parent, "", "check", "removed", "the table no longer exists"});
        }
        continue;
      }
      // Without a table the pass takes the caller's own tables (pg_monitor members see others' registrations).
      if (!OidIsValid(relid) && !owns(g.parent, GetUserId()))
        continue;
      for (PassRow &r : maintain(spi, g))
        rows.push_back(std::move(r));
    }
  }
  return pass_rows(fcinfo, rows);
}
