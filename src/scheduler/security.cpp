#include "scheduler/security.hpp"

#include <exception>
#include <string>

#include <fmt/format.h>

#include "core/error.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace pgo::scheduler {
namespace {

int api_writers = 0;

Oid jobs_table_owner() {
  return pg::guard([] {
    const Oid ns = get_namespace_oid("optimize", false);
    const Oid rel = get_relname_relid("jobs", ns);
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
    if (!HeapTupleIsValid(tuple))
      ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("relation \"optimize.jobs\" does not exist"),
                      errhint("Run ALTER EXTENSION pg_optimize UPDATE, or CREATE EXTENSION pg_optimize.")));
    const Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relowner;
    ReleaseSysCache(tuple);
    return owner;
  });
}

} // namespace

void pin_worker_settings() {
  pg::guard([] {
    SetConfigOption("search_path", kPinnedSearchPath, PGC_SUSET, PGC_S_OVERRIDE);
    SetConfigOption("lock_timeout", kBookkeepingLockTimeout, PGC_SUSET, PGC_S_OVERRIDE);
  });
}

PinnedSearchPath::PinnedSearchPath() {
  nest_level_ = pg::guard([] {
    const int level = NewGUCNestLevel();
    (void)set_config_option("search_path", kPinnedSearchPath, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                            false);
    return level;
  });
}

PinnedSearchPath::~PinnedSearchPath() {
  // While an exception unwinds, the transaction (or subtransaction) abort it is heading for restores the setting.
  if (std::uncaught_exceptions() > 0)
    return;
  const int level = nest_level_;
  try {
    pg::guard([&] { AtEOXact_GUC(true, level); });
  } catch (...) {
    // Cannot happen for search_path; the abort of the transaction would restore it anyway.
  }
}

AsJobsOwner::AsJobsOwner() {
  const Oid owner = jobs_table_owner();
  GetUserIdAndSecContext(&saved_user_, &saved_context_);
  SetUserIdAndSecContext(owner, saved_context_ | SECURITY_LOCAL_USERID_CHANGE);
  api_writers++;
}

AsJobsOwner::~AsJobsOwner() {
  api_writers--;
  SetUserIdAndSecContext(saved_user_, saved_context_);
}

bool api_is_writing() { return api_writers > 0; }

void check_kind_allowed_for(const char *kind, Oid owner) {
  const std::string k = kind;
  if (k != "snapshot" && k != "cleanup")
    return;
  if (pg::guard([&] { return superuser_arg(owner); }))
    return;
  throw Error("42501", fmt::format("only a superuser can own a {} job", k),
              "Snapshot and cleanup jobs write pg_optimize's own tables (optimize.snapshots, optimize.job_runs), "
              "which no other role may change.",
              "The default jobs snapshot_hourly and cleanup_weekly already do this work for every role; change their "
              "schedule as a superuser if needed.");
}

} // namespace pgo::scheduler
