#include "catalog/table_stats.hpp"

#include <algorithm>

#include "core/chunked_array.hpp"
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

RelationStatistics RelationStatistics::read(bool bulk_allowed, const Filter &keep) {
  RelationStatistics result;
  if (!bulk_allowed)
    return result; // answers through pg_stat_get_*
  result.per_relation_ = false;
  // Collected chunk by chunk, in the walk's (hash) order: growing never holds an old and a new copy at once, as a
  // vector growing by doubling does (8 MB of the peak at 100,000 tables); then copied once into vectors of the exact
  // size, in OID order.
  core::ChunkedArray<Entry> walked;
  core::ChunkedArray<std::int64_t> walked_values;
  // The walk of relations_with_dead_tuples(), keeping the counters pg_optimize shows. Entries whose counters are all
  // zero are left out: they answer as a missing entry does.
  pg::guard([&] {
    dshash_seq_status scan;
    dshash_seq_init(&scan, pgStatLocal.shared_hash, false);
    while (auto *entry = static_cast<PgStatShared_HashEntry *>(dshash_seq_next(&scan))) {
      if (entry->dropped || entry->key.kind != PGSTAT_KIND_RELATION || entry->key.dboid != MyDatabaseId)
        continue;
      const Oid relation = pg::compat::stats_object(entry->key);
      if (keep != nullptr && !keep(relation))
        continue;
      auto *shared = static_cast<PgStatShared_Relation *>(dsa_get_address(pgStatLocal.dsa, entry->body));
      std::int64_t v[kFields];
      LWLockAcquire(&shared->header.lock, LW_SHARED);
      const PgStat_StatTabEntry &t = shared->stats;
      v[NumScans] = t.numscans;
      v[TuplesReturned] = t.tuples_returned;
      v[TuplesFetched] = t.tuples_fetched;
      v[Live] = pg::compat::live_tuples(t);
      v[Dead] = pg::compat::dead_tuples(t);
      v[ModSinceAnalyze] = pg::compat::mod_since_analyze(t);
      v[InsSinceVacuum] = pg::compat::ins_since_vacuum(t);
      v[BlocksFetched] = t.blocks_fetched;
      v[BlocksHit] = t.blocks_hit;
      v[LastVacuum] = pg::compat::last_vacuum_time(t);
      v[LastAutovacuum] = pg::compat::last_autovacuum_time(t);
      v[LastAnalyze] = pg::compat::last_analyze_time(t);
      v[LastAutoanalyze] = pg::compat::last_autoanalyze_time(t);
      LWLockRelease(&shared->header.lock);
      Entry e{relation, static_cast<std::uint32_t>(walked_values.size()), 0};
      for (unsigned f = 0; f < kFields; f++)
        if (v[f] != 0) {
          e.present |= static_cast<std::uint16_t>(1u << f);
          walked_values.push_back(v[f]);
        }
      if (e.present != 0)
        walked.push_back(e);
    }
    dshash_seq_term(&scan);
  });
  result.entries_.assign(walked.begin(), walked.end());
  walked = core::ChunkedArray<Entry>();
  std::sort(result.entries_.begin(), result.entries_.end(),
            [](const Entry &a, const Entry &b) { return a.relation < b.relation; });
  // The counters in the entries' order, so that lookups in OID order read them one after another instead of
  // missing the cache on each.
  result.values_.reserve(walked_values.size());
  for (Entry &e : result.entries_) {
    const auto first = static_cast<std::uint32_t>(result.values_.size());
    const auto count = static_cast<std::uint32_t>(__builtin_popcount(e.present));
    for (std::uint32_t i = 0; i < count; i++)
      result.values_.push_back(walked_values[e.first + i]);
    e.first = first;
  }
  walked_values = core::ChunkedArray<std::int64_t>();
  result.directory_ = core::KeyDirectory::build(
      result.entries_.size(), [&entries = result.entries_](std::size_t i) { return entries[i].relation; });
  return result;
}

void RelationStatistics::retain(const Filter &keep) {
  if (per_relation_)
    return;
  std::vector<bool> kept(entries_.size());
  std::size_t entry_count = 0, value_count = 0;
  for (std::size_t i = 0; i < entries_.size(); i++)
    if (keep(entries_[i].relation)) {
      kept[i] = true;
      entry_count++;
      value_count += static_cast<std::size_t>(__builtin_popcount(entries_[i].present));
    }
  // Copied into vectors of the exact size, the old ones freed whole.
  std::vector<Entry> entries;
  std::vector<std::int64_t> values;
  entries.reserve(entry_count);
  values.reserve(value_count);
  for (std::size_t i = 0; i < entries_.size(); i++) {
    if (!kept[i])
      continue;
    Entry e = entries_[i];
    const auto count = static_cast<std::uint32_t>(__builtin_popcount(e.present));
    const auto first = static_cast<std::uint32_t>(values.size());
    const auto from = values_.begin() + static_cast<std::ptrdiff_t>(e.first);
    values.insert(values.end(), from, from + count);
    e.first = first;
    entries.push_back(e);
  }
  entries_ = std::move(entries);
  values_ = std::move(values);
  directory_ = core::KeyDirectory::build(entries_.size(), [this](std::size_t i) { return entries_[i].relation; });
}

const RelationStatistics::Entry *RelationStatistics::find(Oid relation) const {
  const core::KeyDirectory::Range range = directory_.candidates(relation);
  const auto first = entries_.begin() + static_cast<std::ptrdiff_t>(range.first);
  const auto last = entries_.begin() + static_cast<std::ptrdiff_t>(range.last);
  const auto found = std::lower_bound(first, last, relation, [](const Entry &e, Oid r) { return e.relation < r; });
  return found == last || found->relation != relation ? nullptr : &*found;
}

void RelationStatistics::values(const Entry &entry, std::int64_t (&out)[kFields]) const {
  const std::int64_t *next = values_.data() + entry.first;
  for (unsigned f = 0; f < kFields; f++)
    out[f] = (entry.present & (1u << f)) != 0 ? *next++ : 0;
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
  if (const Entry *e = find(table)) {
    std::int64_t v[kFields];
    values(*e, v);
    a.live_tuples = v[Live];
    a.dead_tuples = v[Dead];
    a.seq_scans = v[NumScans];
    a.mod_since_analyze = v[ModSinceAnalyze];
    a.ins_since_vacuum = v[InsSinceVacuum];
    a.blocks_hit = v[BlocksHit];
    a.blocks_read = v[BlocksFetched] - a.blocks_hit;
    a.last_vacuum = timestamp_or_null(v[LastVacuum]);
    a.last_autovacuum = timestamp_or_null(v[LastAutovacuum]);
    a.last_analyze = timestamp_or_null(v[LastAnalyze]);
    a.last_autoanalyze = timestamp_or_null(v[LastAutoanalyze]);
  }
  return a;
}

IndexActivity RelationStatistics::index(Oid index) const {
  if (per_relation_)
    return index_activity(index);
  IndexActivity a;
  if (const Entry *e = find(index)) {
    std::int64_t v[kFields];
    values(*e, v);
    a.scans = v[NumScans];
    a.tuples_read = v[TuplesReturned];
    a.tuples_fetched = v[TuplesFetched];
    a.blocks_hit = v[BlocksHit];
    a.blocks_read = v[BlocksFetched] - a.blocks_hit;
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
