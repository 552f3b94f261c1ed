// The sessions of the cluster, from this transaction's snapshot of backend states (what pg_stat_activity shows),
// read once into plain C++ structs. Query texts follow pg_stat_activity's rule: visible for the caller's own roles,
// or to members of pg_read_all_stats; otherwise "<insufficient privilege>".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pg/postgres.hpp"

extern "C" {
#include "datatype/timestamp.h"
}

namespace pgo::catalog {

struct Backend {
  int pid = 0;
  Oid database = InvalidOid; // InvalidOid for processes not connected to a database
  Oid role = InvalidOid;
  std::string backend_type; // "client backend", "autovacuum worker", ...
  std::string state;        // "active", "idle", "idle in transaction", ... ("" when unknown)
  std::string application;
  std::string client_address; // "" for Unix-domain sockets and background processes
  std::optional<TimestampTz> backend_start, xact_start, query_start, state_change;
  std::string wait_event_type, wait_event;
  bool query_visible = false;
  std::string query; // clipped to track_activity_query_size
  std::int64_t query_id = 0;
  bool is_client() const { return backend_type == "client backend"; }
  bool waiting_on_lock() const { return wait_event_type == "Lock"; }
};

std::vector<Backend> read_backends();

// A session waiting for a heavyweight lock (a pg_locks row with granted = false).
struct LockWait {
  int pid = 0;
  std::string lock_type;     // relation, transactionid, tuple, ...
  std::string mode;          // AccessExclusiveLock, ...
  Oid relation = InvalidOid; // only for relations of this database (an OID means nothing elsewhere)
  Oid relation_database = InvalidOid;
  std::optional<TimestampTz> wait_start;
};

std::vector<LockWait> lock_waits();

// pg_blocking_pids(pid).
std::vector<int> blocking_pids(int pid);

} // namespace pgo::catalog
