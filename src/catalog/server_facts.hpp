// Cluster- and database-level facts: databases and their transaction ID ages, replication slots, this database's
// activity counters.
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

struct DatabaseAge {
  Oid database = InvalidOid;
  std::string name;
  bool allows_connections = true;
  std::optional<std::int64_t> xid_age, mxid_age;
};
std::vector<DatabaseAge> database_ages();

struct ReplicationSlotFacts {
  std::string name;
  bool active = false;
  bool logical = false;
  std::int64_t retained_bytes = 0; // WAL kept for it: current position minus restart_lsn
};
std::vector<ReplicationSlotFacts> replication_slots();

struct DatabaseActivity {
  std::int64_t xact_commit = 0, xact_rollback = 0, blocks_read = 0, blocks_hit = 0, deadlocks = 0, temp_bytes = 0;
  std::optional<TimestampTz> stats_reset;
};
// This database's counters from the shared statistics: no file is touched.
DatabaseActivity current_database_activity();

} // namespace pgo::catalog
