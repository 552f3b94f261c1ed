// What the automation runs as, and under which search_path.
//
// Every statement pg_optimize's workers run, and every statement the SQL API runs on a caller's behalf, runs with
// search_path pinned to "pg_catalog, pg_temp", so that nothing a database owner plants in a schema (public, or one
// put first by ALTER DATABASE/ROLE ... SET search_path) is ever resolved in them; the statements are schema-qualified
// as well, operators included.
//
// optimize.jobs grants no INSERT/UPDATE/DELETE to PUBLIC: the API functions check the caller in C and then write with
// the rights of the table's owner (the role that created the extension). A BEFORE trigger validates every row that is
// written by hand, so that no role but a superuser can make a job run as a superuser.
#pragma once

#include "pg/postgres.hpp"

namespace pgo::scheduler {

constexpr const char *kPinnedSearchPath = "pg_catalog, pg_temp";

// Background workers: pins search_path for the rest of the process, over ALTER DATABASE/ROLE settings, and sets the
// bookkeeping lock_timeout (the statements of pg_optimize itself never wait long on a lock a user holds).
void pin_worker_settings();
constexpr const char *kBookkeepingLockTimeout = "1s";

// An SQL function acting on the caller's behalf: search_path is pinned while this object lives; the previous value
// comes back at its end (or with the abort of an ERROR).
class PinnedSearchPath {
public:
  PinnedSearchPath();
  ~PinnedSearchPath();
  PinnedSearchPath(const PinnedSearchPath &) = delete;
  PinnedSearchPath &operator=(const PinnedSearchPath &) = delete;

private:
  int nest_level_;
};

// While this object lives, the current user is the owner of optimize.jobs (SET ROLE cannot undo it), and the row
// trigger knows the API writes (the caller was checked in C). Restored at its end whatever the exit.
class AsJobsOwner {
public:
  AsJobsOwner();
  ~AsJobsOwner();
  AsJobsOwner(const AsJobsOwner &) = delete;
  AsJobsOwner &operator=(const AsJobsOwner &) = delete;

private:
  Oid saved_user_ = InvalidOid;
  int saved_context_ = 0;
};

// True while an AsJobsOwner lives in this backend.
bool api_is_writing();

// Snapshot and cleanup jobs write pg_optimize's own tables: only a superuser may own one. Throws pgo::Error (42501)
// with a hint otherwise.
void check_kind_allowed_for(const char *kind, Oid owner);

} // namespace pgo::scheduler
