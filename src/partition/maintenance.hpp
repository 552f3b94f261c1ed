// One partition maintenance pass over registered tables (optimize.run_partition_maintenance and the
// partition_maintenance job kind), and the registration functions that share its checks.
//
// A pass runs as the calling role (a job runs it as the job's owner) inside the caller's transaction. Each DDL
// statement runs in a subtransaction of its own with search_path pinned to pg_catalog, pg_temp and lock_timeout set
// (the session's own, or 5 seconds when it is 0), so a partition another session holds is skipped, reported and
// tried again at the next pass, while the statements that could run stay done. DETACH PARTITION ... CONCURRENTLY
// cannot run inside a transaction block, so retention detaches and drops with plain DETACH and DROP TABLE, which
// take an ACCESS EXCLUSIVE lock on the parent for a moment, bounded by lock_timeout.
#pragma once

#include <string>
#include <vector>

#include "partition/partitioned_table.hpp"

namespace pgo::partition {

struct PassRow {
  Oid parent = InvalidOid;
  std::string partition; // qualified and quoted
  std::string action;    // create, drop, detach, overlap, check
  std::string status;    // done, skipped (lock_timeout), failed, left (a hand-made partition is there), error
  std::string detail;
};

// The pass for one registration; a table that cannot be maintained as it stands gives one 'check' row with status
// 'error' instead of an ERROR, so one bad registration never stops the others.
std::vector<PassRow> maintain(pg::Spi &spi, const Registration &registration);

// The step of a registration for the table's key; throws pgo::Error 42804 when they do not match.
core::PartitionStep registration_step(pg::Spi &spi, const PartitionedTable &table, const Registration &registration);

} // namespace pgo::partition
