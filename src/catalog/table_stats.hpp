// Activity statistics of tables and indexes. Per relation through PostgreSQL's own statistics functions
// (pg_stat_get_*), which read the cumulative statistics snapshot of the current transaction and keep us independent of
// the statistics structs, whose fields change between major versions; in bulk, where one pass over the shared
// statistics beats a lookup per relation, through those structs, with the renamed fields in pg/compat.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "pg/postgres.hpp"

extern "C" {
#include "datatype/timestamp.h"
}

namespace pgo::catalog {

struct TableActivity {
  std::int64_t live_tuples = 0;
  std::int64_t dead_tuples = 0;
  std::int64_t seq_scans = 0;
  std::int64_t mod_since_analyze = 0;
  std::int64_t ins_since_vacuum = 0;
  std::int64_t blocks_read = 0; // from disk or the OS cache
  std::int64_t blocks_hit = 0;  // from shared buffers
  std::optional<TimestampTz> last_vacuum, last_autovacuum, last_analyze, last_autoanalyze;
};

struct IndexActivity {
  std::int64_t scans = 0;
  std::int64_t tuples_read = 0;
  std::int64_t tuples_fetched = 0;
  std::int64_t blocks_read = 0;
  std::int64_t blocks_hit = 0;
};

TableActivity table_activity(Oid table);
IndexActivity index_activity(Oid index);

struct TupleCounts {
  std::int64_t live = 0;
  std::int64_t dead = 0;
};

// The live and dead tuple counts of every relation of this database with at least min_dead dead tuples, from one
// pass over the shared statistics: with thousands of tables that is several times cheaper than a lookup per table,
// each of which searches the shared hash, takes its lock and copies the whole entry into the transaction's statistics
// cache. The counts are those in shared memory at the call, as pg_stat_get_dead_tuples() reads them in a transaction
// that has not looked at the table before (statistics not yet flushed by running sessions are in neither).
std::unordered_map<Oid, TupleCounts> relations_with_dead_tuples(std::int64_t min_dead);

} // namespace pgo::catalog
