// Activity statistics of tables and indexes. Per relation through PostgreSQL's own statistics functions
// (pg_stat_get_*), which read the cumulative statistics snapshot of the current transaction and keep us independent of
// the statistics structs, whose fields change between major versions; in bulk, where one pass over the shared
// statistics beats a lookup per relation, through those structs, with the renamed fields in pg/compat.hpp.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

#include "pg/postgres.hpp"

#include "core/key_directory.hpp"

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

// The activity statistics of every table and index of this database, for calls that look at all of them.
//
// Read in one pass over the shared statistics, keeping only the counters pg_optimize shows, where a lookup per
// relation through pg_stat_get_* would search the shared hash, lock the entry and copy all of it into the
// transaction's statistics cache (hundreds of thousands of copies, kept until the transaction ends). The figures are
// the ones pg_stat_get_*() would give in a transaction that has not read statistics before. When it has (the
// transaction's cache already holds entries, or stats_fetch_consistency = snapshot), every answer comes from
// pg_stat_get_*() instead, so that one transaction keeps seeing the same figures.
class RelationStatistics {
public:
  // `bulk_allowed`: whether the statistics this transaction cached before the caller began may be ignored (see
  // statistics_untouched_in_transaction()).
  //
  // `keep`, when given, is asked about each relation of the bulk read before its counters are copied; the others are
  // not kept and answer as a relation without statistics does (all zero), so the caller must ask about relations
  // `keep` accepts only. A call that needs the figures of a few kinds of relations saves the memory of the rest.
  using Filter = std::function<bool(Oid relation)>;
  static RelationStatistics read(bool bulk_allowed, const Filter &keep = nullptr);
  TableActivity table(Oid table) const;
  IndexActivity index(Oid index) const;
  // Forgets the counters of the relations `keep` rejects (they answer as a relation without statistics does), for a
  // caller done with them; the others stay as they were. Nothing changes when the answers come through pg_stat_get_*.
  void retain(const Filter &keep);

private:
  // The counters kept, each a 64-bit value (timestamps included; 0 for "never").
  enum Field : unsigned {
    NumScans,
    TuplesReturned,
    TuplesFetched,
    Live,
    Dead,
    ModSinceAnalyze,
    InsSinceVacuum,
    BlocksFetched,
    BlocksHit,
    LastVacuum,
    LastAutovacuum,
    LastAnalyze,
    LastAutoanalyze,
    kFields
  };
  // One relation's counters, sparse: only the non-zero ones are stored, in field order, from values_[first] on.
  // Most relations of a big catalog have two or three, so an entry costs about 40 bytes instead of 112.
  struct Entry {
    Oid relation;
    std::uint32_t first;
    std::uint16_t present; // bit f: field f is non-zero
  };
  const Entry *find(Oid relation) const;
  // Every counter of the entry, the absent ones 0.
  void values(const Entry &entry, std::int64_t (&out)[kFields]) const;

  bool per_relation_ = true;
  std::vector<Entry> entries_;   // sorted by relation
  core::KeyDirectory directory_; // over entries_' relations
  std::vector<std::int64_t> values_;
};

// True while this transaction has read no statistics through PostgreSQL's accessors (its statistics cache is
// empty) and stats_fetch_consistency is not snapshot: a bulk read then gives what the accessors would.
bool statistics_untouched_in_transaction();

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
