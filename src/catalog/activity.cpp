#include "catalog/activity.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "pg/fmgr_call.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "catalog/pg_authid.h"
#include "libpq/pqcomm.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/backend_status.h"
#include "utils/fmgrprotos.h"
#include "utils/wait_event.h"
}

namespace pgo::catalog {
namespace {

std::optional<TimestampTz> timestamp_or_null(TimestampTz ts) {
  if (ts == 0)
    return std::nullopt;
  return ts;
}

std::string client_address_of(const SockAddr &addr) {
  char text[INET6_ADDRSTRLEN] = "";
  const auto *sa = reinterpret_cast<const struct sockaddr *>(&addr.addr);
  if (addr.salen == 0)
    return {};
  if (sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const struct sockaddr_in *>(sa)->sin_addr, text, sizeof text);
  else if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const struct sockaddr_in6 *>(sa)->sin6_addr, text, sizeof text);
  return text;
}

// Everything read from shared state for one backend, as plain data (no C++ object may live inside a guard).
struct RawBackend {
  bool present;
  int pid;
  Oid database, role;
  const char *backend_type;
  const char *state;
  const char *application; // points into the local snapshot, valid for the transaction
  SockAddr client;
  TimestampTz backend_start, xact_start, query_start, state_change;
  const char *wait_event_type, *wait_event;
  bool query_visible;
  char *query; // palloc'd clipped copy
  std::uint64_t query_id;
};

} // namespace

std::vector<Backend> read_backends() {
  const int count = pg::guard([] { return pgstat_fetch_stat_numbackends(); });
  const Oid me = GetUserId();
  const bool sees_all = pg::guard([&] { return has_privs_of_role(me, ROLE_PG_READ_ALL_STATS); });
  std::vector<Backend> result;
  result.reserve(static_cast<std::size_t>(count));
  for (int i = 1; i <= count; i++) {
    const RawBackend raw = pg::guard([&]() -> RawBackend {
      RawBackend r{};
      LocalPgBackendStatus *local = pg::compat::local_backend_status(i);
      if (local == nullptr)
        return r;
      const PgBackendStatus &be = local->backendStatus;
      if (be.st_procpid <= 0)
        return r;
      r.present = true;
      r.pid = be.st_procpid;
      r.database = be.st_databaseid;
      r.role = be.st_userid;
      r.backend_type = GetBackendTypeDesc(be.st_backendType);
      r.state = pg::compat::backend_state_name(be.st_state);
      r.application = be.st_appname;
      r.client = be.st_clientaddr;
      r.backend_start = be.st_proc_start_timestamp;
      r.xact_start = be.st_xact_start_timestamp;
      r.query_start = be.st_activity_start_timestamp;
      r.state_change = be.st_state_start_timestamp;
      r.query_visible = sees_all || (OidIsValid(be.st_userid) && has_privs_of_role(me, be.st_userid));
      if (r.query_visible && be.st_activity_raw != nullptr)
        r.query = pgstat_clip_activity(be.st_activity_raw);
      r.query_id = be.st_query_id;
      PGPROC *proc = BackendPidGetProc(be.st_procpid);
      if (proc == nullptr)
        proc = AuxiliaryPidGetProc(be.st_procpid);
      if (proc != nullptr) {
        const uint32 info = *reinterpret_cast<volatile const uint32 *>(&proc->wait_event_info);
        r.wait_event_type = pgstat_get_wait_event_type(info);
        r.wait_event = pgstat_get_wait_event(info);
      }
      return r;
    });
    if (!raw.present)
      continue;
    Backend b;
    b.pid = raw.pid;
    b.database = raw.database;
    b.role = raw.role;
    b.backend_type = raw.backend_type ? raw.backend_type : "";
    b.state = raw.state ? raw.state : "";
    b.application = raw.application ? raw.application : "";
    b.client_address = client_address_of(raw.client);
    b.backend_start = timestamp_or_null(raw.backend_start);
    b.xact_start = timestamp_or_null(raw.xact_start);
    b.query_start = timestamp_or_null(raw.query_start);
    b.state_change = timestamp_or_null(raw.state_change);
    b.wait_event_type = raw.wait_event_type ? raw.wait_event_type : "";
    b.wait_event = raw.wait_event ? raw.wait_event : "";
    b.query_visible = raw.query_visible;
    if (raw.query_visible) {
      b.query = raw.query ? raw.query : "";
      if (raw.query)
        pfree(raw.query);
      b.query_id = static_cast<std::int64_t>(raw.query_id);
    } else {
      b.query = "<insufficient privilege>";
    }
    result.push_back(std::move(b));
  }
  return result;
}

std::vector<LockWait> lock_waits() {
  struct Raw {
    int count;
    LockInstanceData *locks;
  };
  const Raw data = pg::guard([]() -> Raw {
    LockData *d = GetLockStatusData();
    return Raw{d->nelements, d->locks};
  });
  std::vector<LockWait> result;
  for (int i = 0; i < data.count; i++) {
    const LockInstanceData &lock = data.locks[i];
    if (lock.waitLockMode == NoLock)
      continue;
    LockWait w;
    w.pid = lock.pid;
    const int type = lock.locktag.locktag_type;
    w.lock_type = type <= LOCKTAG_LAST_TYPE ? LockTagTypeNames[type] : "unknown";
    w.mode = pg::guard([&] { return GetLockmodeName(lock.locktag.locktag_lockmethodid, lock.waitLockMode); });
    if (type == LOCKTAG_RELATION || type == LOCKTAG_RELATION_EXTEND || type == LOCKTAG_PAGE || type == LOCKTAG_TUPLE) {
      w.relation_database = lock.locktag.locktag_field1;
      if (w.relation_database == MyDatabaseId)
        w.relation = lock.locktag.locktag_field2;
    }
    if (lock.waitStart != 0)
      w.wait_start = lock.waitStart;
    result.push_back(std::move(w));
  }
  return result;
}

std::vector<int> blocking_pids(int pid) {
  std::vector<int> result;
  const std::optional<Datum> array = pg::call_nullable(pg_blocking_pids, Int32GetDatum(pid));
  if (!array)
    return result;
  struct Raw {
    int count;
    const int32 *values;
  };
  const Raw raw = pg::guard([&]() -> Raw {
    ArrayType *a = DatumGetArrayTypeP(*array);
    return Raw{ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a)), reinterpret_cast<const int32 *>(ARR_DATA_PTR(a))};
  });
  result.assign(raw.values, raw.values + raw.count);
  return result;
}

} // namespace pgo::catalog
