#include "catalog/table_stats.hpp"

#include "pg/compat.hpp"
#include "pg/fmgr_call.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "lib/dshash.h"
#include "miscadmin.h"
#include "utils/dsa.h"
#include "utils/fmgrprotos.h"
#include "utils/pgstat_internal.h"
}

namespace pgo::catalog {

TableActivity table_activity(Oid table) {
  const Datum oid = ObjectIdGetDatum(table);
  TableActivity a;
  a.live_tuples = pg::call_int64(pg_stat_get_live_tuples, oid);
  a.dead_tuples = pg::call_int64(pg_stat_get_dead_tuples, oid);
  a.seq_scans = pg::call_int64(pg_stat_get_numscans, oid);
  a.mod_since_analyze = pg::call_int64(pg_stat_get_mod_since_analyze, oid);
  a.ins_since_vacuum = pg::call_int64(pg_stat_get_ins_since_vacuum, oid);
  const std::int64_t fetched = pg::call_int64(pg_stat_get_blocks_fetched, oid);
  a.blocks_hit = pg::call_int64(pg_stat_get_blocks_hit, oid);
  a.blocks_read = fetched - a.blocks_hit;
  a.last_vacuum = pg::call_timestamp(pg_stat_get_last_vacuum_time, oid);
  a.last_autovacuum = pg::call_timestamp(pg_stat_get_last_autovacuum_time, oid);
  a.last_analyze = pg::call_timestamp(pg_stat_get_last_analyze_time, oid);
  a.last_autoanalyze = pg::call_timestamp(pg_stat_get_last_autoanalyze_time, oid);
  return a;
}

IndexActivity index_activity(Oid index) {
  const Datum oid = ObjectIdGetDatum(index);
  IndexActivity a;
  a.scans = pg::call_int64(pg_stat_get_numscans, oid);
  a.tuples_read = pg::call_int64(pg_stat_get_tuples_returned, oid);
  a.tuples_fetched = pg::call_int64(pg_stat_get_tuples_fetched, oid);
  const std::int64_t fetched = pg::call_int64(pg_stat_get_blocks_fetched, oid);
  a.blocks_hit = pg::call_int64(pg_stat_get_blocks_hit, oid);
  a.blocks_read = fetched - a.blocks_hit;
  return a;
}

std::unordered_map<Oid, TupleCounts> relations_with_dead_tuples(std::int64_t min_dead) {
  struct Found {
    Oid relation;
    TupleCounts counts;
  };
  std::vector<Found> found;
  // The same walk pgstat_build_snapshot() makes: the shared hash in sequence, each entry's counters read under its
  // own lock. An allocation failure while a lock is held becomes an ERROR, whose transaction abort releases it.
  pg::guard([&] {
    dshash_seq_status scan;
    dshash_seq_init(&scan, pgStatLocal.shared_hash, false);
    while (auto *entry = static_cast<PgStatShared_HashEntry *>(dshash_seq_next(&scan))) {
      if (entry->dropped || entry->key.kind != PGSTAT_KIND_RELATION || entry->key.dboid != MyDatabaseId)
        continue;
      auto *shared = static_cast<PgStatShared_Relation *>(dsa_get_address(pgStatLocal.dsa, entry->body));
      LWLockAcquire(&shared->header.lock, LW_SHARED);
      const TupleCounts counts{pg::compat::live_tuples(shared->stats), pg::compat::dead_tuples(shared->stats)};
      LWLockRelease(&shared->header.lock);
      if (counts.dead >= min_dead && counts.dead > 0)
        found.push_back(Found{pg::compat::stats_object(entry->key), counts});
    }
    dshash_seq_term(&scan);
  });
  std::unordered_map<Oid, TupleCounts> result;
  result.reserve(found.size());
  for (const Found &f : found)
    result.emplace(f.relation, f.counts);
  return result;
}

} // namespace pgo::catalog
