// optimize._check_job_row(): the BEFORE INSERT OR UPDATE trigger of optimize.jobs. The API functions check their
// caller and input in C before they write; this trigger holds every other write (by a superuser, by the table's
// owner, by a role a superuser granted DML) to the same rules, so that no row reaches a scheduler that the API would
// have refused, and no role but a superuser can make a job run as a superuser (or as anyone but itself).
#include <optional>
#include <string>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/maintenance_plan.hpp"
#include "core/schedule.hpp"
#include "pg/barrier.hpp"
#include "pg/compat.hpp"
#include "pg/guard.hpp"
#include "scheduler/job_plan.hpp"
#include "scheduler/security.hpp"
#include "scheduler/shared_state.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace pgo::scheduler {
namespace {

struct RowFields {
  std::optional<std::string> kind, schedule, options;
  Oid owner = InvalidOid, target = InvalidOid;
  bool is_default = false;
};

RowFields read_row(HeapTuple tuple, TupleDesc desc) {
  RowFields f;
  auto text = [&](const char *column) -> std::optional<std::string> {
    char *value = pg::guard([&] { return SPI_getvalue(tuple, desc, SPI_fnumber(desc, column)); });
    if (value == nullptr)
      return std::nullopt;
    std::string out(value);
    pfree(value);
    return out;
  };
  auto oid = [&](const char *column) {
    return pg::guard([&] {
      bool isnull = false;
      const Datum d = SPI_getbinval(tuple, desc, SPI_fnumber(desc, column), &isnull);
      return isnull ? InvalidOid : DatumGetObjectId(d);
    });
  };
  f.kind = text("kind");
  f.schedule = text("schedule");
  f.options = text("options");
  f.owner = oid("owner");
  f.target = oid("target");
  f.is_default = text("is_default").value_or("f") == "t";
  return f;
}

bool same(const RowFields &a, const RowFields &b) {
  return a.kind == b.kind && a.schedule == b.schedule && a.options == b.options && a.owner == b.owner &&
         a.target == b.target && a.is_default == b.is_default;
}

void check_target_of(const RowFields &row) {
  const core::JobKind kind = job_kind(*row.kind);
  if (!OidIsValid(row.target))
    return;
  if (!core::job_kind_takes_target(kind))
    throw Error(sqlstate::kInvalidParameterValue, fmt::format("{} jobs take no target", *row.kind), "",
                "Leave target NULL for snapshot and cleanup jobs.");
  const Oid target = row.target;
  const char relkind = pg::guard([&] { return get_rel_relkind(target); });
  if (relkind == '\0')
    throw Error("42P01", fmt::format("relation with OID {} does not exist", target));
  const bool refresh = kind == core::JobKind::RefreshMaterializedViews;
  if (refresh ? relkind != RELKIND_MATVIEW
              : relkind != RELKIND_RELATION && relkind != RELKIND_MATVIEW && relkind != RELKIND_PARTITIONED_TABLE)
    throw Error("42809", fmt::format("relation with OID {} is not a {}", target,
                                     refresh ? "materialized view" : "table or materialized view"));
  const Oid owner = row.owner;
  if (!pg::guard([&] { return pg::compat::can_maintain(target, owner); }))
    throw Error("42501", "the job's owner may not maintain its target", "",
                "A job runs with its owner's rights: only the owner of the relation (or, from PostgreSQL 17, a role "
                "with MAINTAIN on it) can own a job on it.");
}

void check_row(const RowFields &row, const std::optional<RowFields> &old) {
  const Oid writer = GetUserId();
  const bool trusted = api_is_writing() || pg::guard([] { return superuser(); });
  // Everyone but a superuser (and the API, which checked its caller) writes only their own jobs.
  if (!trusted && (row.owner != writer || (old && old->owner != writer) || row.is_default))
    throw Error("42501", "permission denied to write a job owned by another role",
                "Rows of optimize.jobs written by hand must be owned by the role writing them, and not be defaults.",
                "Use optimize.schedule(), optimize.alter_job() and optimize.unschedule(): they make you the job's "
                "owner.");
  if (!api_is_writing() && !(old && same(row, *old)))
    wake_at_commit(MyDatabaseId); // a job written by hand: the scheduler looks at it at once
  if (old && same(row, *old))
    return; // bookkeeping (next_run, last_status...) or enabled/limits: nothing to validate again
  const Oid owner = row.owner;
  if (!pg::guard([&] { return SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(owner)); }))
    throw Error("42704", fmt::format("role with OID {} does not exist", owner), "", "A job needs an existing owner.");
  if (!row.kind || !row.schedule || !row.options)
    return; // NOT NULL constraints say so
  job_kind(*row.kind);
  check_kind_allowed_for(row.kind->c_str(), owner);
  core::parse_schedule(*row.schedule);
  parse_job_options(*row.kind, *row.options);
  check_target_of(row);
}

} // namespace
} // namespace pgo::scheduler

using namespace pgo;

PGO_FUNCTION(pgo_check_job_row) {
  auto *trigger = reinterpret_cast<TriggerData *>(fcinfo->context);
  if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigger->tg_event) ||
      !TRIGGER_FIRED_FOR_ROW(trigger->tg_event) ||
      !(TRIGGER_FIRED_BY_INSERT(trigger->tg_event) || TRIGGER_FIRED_BY_UPDATE(trigger->tg_event)))
    throw Error("39P01", "optimize._check_job_row() must be fired BEFORE INSERT OR UPDATE FOR EACH ROW");
  const TupleDesc desc = trigger->tg_relation->rd_att;
  const bool update = TRIGGER_FIRED_BY_UPDATE(trigger->tg_event);
  HeapTuple row = update ? trigger->tg_newtuple : trigger->tg_trigtuple;
  scheduler::PinnedSearchPath pinned;
  const scheduler::RowFields fields = scheduler::read_row(row, desc);
  std::optional<scheduler::RowFields> old;
  if (update)
    old = scheduler::read_row(trigger->tg_trigtuple, desc);
  scheduler::check_row(fields, old);
  return PointerGetDatum(row);
}
