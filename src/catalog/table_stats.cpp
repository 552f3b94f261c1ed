#include "catalog/table_stats.hpp"

#include <algorithm>

#include "pg/compat.hpp"
#include "pg/fmgr_call.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "lib/dshash.h"
#include "miscadmin.h"
#include "pgstat.h"
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

bool statistics_untouched_in_transaction() {
  return pgstat_fetch_consistency != PGSTAT_FETCH_CONSISTENCY_SNAPSHOT && pgStatLocal.snapshot.stats == nullptr;
}

RelationStatistics RelationStatistics::read(bool bulk_allowed) {
  RelationStatistics result;
  if (!bulk_allowed)
    return result; // answers through pg_stat_get_*
  result.per_relation_ = false;
  std::vector<Counters> &out = result.counters_;
  // The walk of relations_with_dead_tuples(), keeping the counters pg_optimize shows. Entries whose counters are all
  // zero are left out: they answer as a missing entry does.
  pg::guard([&] {
    dshash_seq_status scan;
    dshash_seq_init(&scan, pgStatLocal.shared_hash, false);
    while (auto *entry = static_cast<PgStatShared_HashEntry *>(dshash_seq_next(&scan))) {
      if (entry->dropped || entry->key.kind != PGSTAT_KIND_RELATION || entry->key.dboid != MyDatabaseId)
        continue;
      auto *shared = static_cast<PgStatShared_Relation *>(dsa_get_address(pgStatLocal.dsa, entry->body));
      Counters c;
      LWLockAcquire(&shared->header.lock, LW_SHARED);
      const PgStat_StatTabEntry &t = shared->stats;
      c.relation = pg::compat::stats_object(entry->key);
      c.numscans = t.numscans;
      c.tuples_returned = t.tuples_returned;
      c.tuples_fetched = t.tuples_fetched;
      c.live = pg::compat::live_tuples(t);
      c.dead = pg::compat::dead_tuples(t);
      c.mod_since_analyze = pg::compat::mod_since_analyze(t);
      c.ins_since_vacuum = pg::compat::ins_since_vacuum(t);
      c.blocks_fetched = t.blocks_fetched;
      c.blocks_hit = t.blocks_hit;
      c.last_vacuum = pg::compat::last_vacuum_time(t);
      c.last_autovacuum = pg::compat::last_autovacuum_time(t);
      c.last_analyze = pg::compat::last_analyze_time(t);
      c.last_autoanalyze = pg::compat::last_autoanalyze_time(t);
      LWLockRelease(&shared->header.lock);
      if ((c.numscans | c.tuples_returned | c.tuples_fetched | c.live | c.dead | c.mod_since_analyze |
           c.ins_since_vacuum | c.blocks_fetched | c.blocks_hit | c.last_vacuum | c.last_autovacuum | c.last_analyze |
           c.last_autoanalyze) != 0)
        out.push_back(c);
    }
    dshash_seq_term(&scan);
  });
  std::sort(out.begin(), out.end(), [](const Counters &a, const Counters &b) { return a.relation < b.relation; });
  out.shrink_to_fit();
  return result;
}

const RelationStatistics::Counters *RelationStatistics::find(Oid relation) const {
  const auto found = std::lower_bound(counters_.begin(), counters_.end(), relation,
                                      [](const Counters &c, Oid r) { return c.relation < r; });
  return found == counters_.end() || found->relation != relation ? nullptr : &*found;
}

namespace {

std::optional<TimestampTz> timestamp_or_null(TimestampTz t) {
  return t == 0 ? std::nullopt : std::optional<TimestampTz>(t); // as pg_stat_get_last_*_time() answers
}

} // namespace

TableActivity RelationStatistics::table(Oid table) const {
  if (per_relation_)
    return table_activity(table);
  TableActivity a;
  if (const Counters *c = find(table)) {
    a.live_tuples = c->live;
    a.dead_tuples = c->dead;
    a.seq_scans = c->numscans;
    a.mod_since_analyze = c->mod_since_analyze;
    a.ins_since_vacuum = c->ins_since_vacuum;
    a.blocks_hit = c->blocks_hit;
    a.blocks_read = c->blocks_fetched - c->blocks_hit;
    a.last_vacuum = timestamp_or_null(c->last_vacuum);
    a.last_autovacuum = timestamp_or_null(c->last_autovacuum);
    a.last_analyze = timestamp_or_null(c->last_analyze);
    a.last_autoanalyze = timestamp_or_null(c->last_autoanalyze);
  }
  return a;
}

IndexActivity RelationStatistics::index(Oid index) const {
  if (per_relation_)
    return index_activity(index);
  IndexActivity a;
  if (const Counters *c = find(index)) {
    a.scans = c->numscans;
    a.tuples_read = c->tuples_returned;
    a.tuples_fetched = c->tuples_fetched;
    a.blocks_hit = c->blocks_hit;
    a.blocks_read = c->blocks_fetched - c->blocks_hit;
  }
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
