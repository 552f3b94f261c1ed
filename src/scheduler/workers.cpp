#include "scheduler/workers.hpp"

#include <cstring>

#include "pg/guard.hpp"

extern "C" {
#include "miscadmin.h"
}

namespace pgo::scheduler {
namespace {

void common(BackgroundWorker &w, const char *function, const char *type) {
  std::memset(&w, 0, sizeof(w));
  w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
  w.bgw_start_time = BgWorkerStart_RecoveryFinished;
  w.bgw_restart_time = BGW_NEVER_RESTART;
  snprintf(w.bgw_library_name, sizeof(w.bgw_library_name), "pg_optimize");
  snprintf(w.bgw_function_name, sizeof(w.bgw_function_name), "%s", function);
  snprintf(w.bgw_type, sizeof(w.bgw_type), "%s", type);
}

} // namespace

void register_launcher() {
  BackgroundWorker w;
  common(w, "pgo_launcher_main", "pg_optimize launcher");
  snprintf(w.bgw_name, sizeof(w.bgw_name), "pg_optimize launcher");
  // Restarted by the postmaster if it ever dies; a crash of any backend restarts it with the cluster.
  w.bgw_restart_time = 10;
  pg::guard([&] { RegisterBackgroundWorker(&w); });
}

BackgroundWorkerHandle *start_scheduler(Oid database, pid_t notify_pid) {
  BackgroundWorker w;
  common(w, "pgo_scheduler_main", "pg_optimize scheduler");
  snprintf(w.bgw_name, sizeof(w.bgw_name), "pg_optimize scheduler for database %u", database);
  w.bgw_main_arg = ObjectIdGetDatum(database);
  w.bgw_notify_pid = notify_pid;
  return pg::guard([&]() -> BackgroundWorkerHandle * {
    BackgroundWorkerHandle *handle = nullptr;
    return RegisterDynamicBackgroundWorker(&w, &handle) ? handle : nullptr;
  });
}

BackgroundWorkerHandle *start_job_worker(const JobWorkerArgs &args, const char *label, pid_t notify_pid) {
  BackgroundWorker w;
  common(w, "pgo_job_main", "pg_optimize job");
  snprintf(w.bgw_name, sizeof(w.bgw_name), "pg_optimize job %s", label);
  std::memcpy(w.bgw_extra, &args, sizeof(args));
  w.bgw_notify_pid = notify_pid;
  return pg::guard([&]() -> BackgroundWorkerHandle * {
    BackgroundWorkerHandle *handle = nullptr;
    return RegisterDynamicBackgroundWorker(&w, &handle) ? handle : nullptr;
  });
}

} // namespace pgo::scheduler
