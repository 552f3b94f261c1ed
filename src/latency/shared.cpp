#include "latency/shared.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <set>
#include <tuple>

#include "core/n_plus_one.hpp"
#include "latency/latency_settings.hpp"
#include "pg/barrier.hpp"
#include "pg/guard.hpp"
#include "settings.hpp"

extern "C" {
#include "access/parallel.h"
#include "access/xact.h"
#include "mb/pg_wchar.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/backend_status.h"
#include "utils/hsearch.h"
#include "utils/timestamp.h"
}

extern "C" {
static void pgo_latency_backend_exit(int code, Datum arg);
}

namespace pgo::latency {
namespace {

using Fine = core::FineLatencyScale;
using Coarse = core::CoarseLatencyScale;
constexpr const char *kTranche = "pg_optimize_latency";

// Single-writer updates: a relaxed load and store, no locked instruction.
inline void bump(Counter &c, std::uint64_t delta) {
  c.store(c.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
}
inline std::uint64_t get(const Counter &c) { return c.load(std::memory_order_relaxed); }
inline void put(Counter &c, std::uint64_t v) { c.store(v, std::memory_order_relaxed); }

struct DatabaseCounters {
  Counter database; // Oid; 0: unused
  Counter calls, total_us, max_us, within_target;
  Counter buckets[Fine::kBuckets];
};

// One statement shape in a backend's slot; the slowest call's text follows it (text_size bytes).
struct SlotQuery {
  Counter query_id; // 0: free
  Counter owner;    // database << 32 | role
  QueryCounters<Counter> c;
  Counter text_version; // odd while the text is being written
  Counter text_len;
};

// A backend's slot; kSlotQueries SlotQuery entries follow it.
struct Slot {
  Counter generation; // 0: nobody's
  DatabaseCounters db;
};

// An entry of the shared table (changed under the lock only); the slowest call's text follows it.
struct SharedQuery {
  QueryKey key;
  QueryTotals totals;
  std::uint32_t text_len;
};

struct SharedHeader {
  LWLock *lock;
  Counter generation;
  std::atomic<std::int64_t> since;
  Counter target_us;
  Counter evictions, dropped_databases;
  DatabaseCounters retired[kMaxDatabases]; // exited backends, by database
};

struct Layout {
  int slot_count = 0, text_size = 0, max_queries = 0;
  Size query_stride = 0, slot_stride = 0, entry_size = 0, slots_bytes = 0, total = 0;
};

Layout layout;
SharedHeader *header = nullptr;
char *slots = nullptr;
HTAB *table = nullptr;
shmem_request_hook_type prev_shmem_request = nullptr;
shmem_startup_hook_type prev_shmem_startup = nullptr;

// This backend's state.
Slot *my_slot_ptr = nullptr;
bool slot_tried = false;
core::RunTracker runs;

Layout compute_layout() {
  Layout l;
  l.slot_count = MaxBackends;
  l.text_size = std::max(std::min(pgstat_track_activity_query_size, settings::max_query_text), 100);
  l.max_queries = settings::max_tracked_queries;
  l.query_stride = MAXALIGN(sizeof(SlotQuery) + static_cast<Size>(l.text_size));
  l.slot_stride = MAXALIGN(sizeof(Slot)) + kSlotQueries * l.query_stride;
  l.slots_bytes = static_cast<Size>(l.slot_count) * l.slot_stride;
  l.entry_size = MAXALIGN(sizeof(SharedQuery) + static_cast<Size>(l.text_size));
  l.total = MAXALIGN(sizeof(SharedHeader)) + MAXALIGN(l.slots_bytes) + hash_estimate_size(l.max_queries, l.entry_size);
  return l;
}

Slot *slot_at(int i) { return reinterpret_cast<Slot *>(slots + static_cast<Size>(i) * layout.slot_stride); }
SlotQuery *slot_query(Slot *s, int i) {
  return reinterpret_cast<SlotQuery *>(reinterpret_cast<char *>(s) + MAXALIGN(sizeof(Slot)) +
                                       static_cast<Size>(i) * layout.query_stride);
}
char *slot_text(SlotQuery *q) { return reinterpret_cast<char *>(q) + sizeof(SlotQuery); }
char *entry_text(SharedQuery *e) { return reinterpret_cast<char *>(e) + sizeof(SharedQuery); }

// --- merging -------------------------------------------------------------------------------------------------------

template <typename T> std::uint64_t value(const T &v) {
  if constexpr (std::is_same_v<T, Counter>)
    return get(v);
  else
    return v;
}

template <typename From> void add_totals(QueryTotals &into, const QueryCounters<From> &from) {
  const std::uint64_t calls = value(from.calls);
  if (calls == 0)
    return;
  const bool empty = into.calls == 0;
  into.calls += calls;
  into.total_us += value(from.total_us);
  into.min_us = empty ? value(from.min_us) : std::min(into.min_us, value(from.min_us));
  into.max_us = std::max(into.max_us, value(from.max_us));
  into.slow_calls += value(from.slow_calls);
  into.first_seen = empty ? value(from.first_seen) : std::min(into.first_seen, value(from.first_seen));
  into.last_seen = std::max(into.last_seen, value(from.last_seen));
  into.n1_events += value(from.n1_events);
  into.n1_largest_run = std::max(into.n1_largest_run, value(from.n1_largest_run));
  into.n1_calls += value(from.n1_calls);
  into.n1_time_us += value(from.n1_time_us);
  into.n1_last_seen = std::max(into.n1_last_seen, value(from.n1_last_seen));
  for (std::size_t i = 0; i < Coarse::kBuckets; i++)
    into.buckets[i] += value(from.buckets[i]);
}

void add_database(DatabaseRow &into, const DatabaseCounters &from) {
  into.calls += get(from.calls);
  into.total_us += get(from.total_us);
  into.max_us = std::max(into.max_us, get(from.max_us));
  into.within_target += get(from.within_target);
  if (into.buckets.empty())
    into.buckets.assign(Fine::kBuckets, 0);
  for (std::size_t i = 0; i < Fine::kBuckets; i++)
    into.buckets[i] += get(from.buckets[i]);
}

void zero_database(DatabaseCounters &d) {
  put(d.database, 0);
  put(d.calls, 0);
  put(d.total_us, 0);
  put(d.max_us, 0);
  put(d.within_target, 0);
  for (Counter &b : d.buckets)
    put(b, 0);
}

void zero_query(SlotQuery *q) {
  put(q->query_id, 0);
  put(q->owner, 0);
  Counter *fields[] = {&q->c.calls,          &q->c.total_us,   &q->c.min_us,     &q->c.max_us,
                       &q->c.slow_calls,     &q->c.first_seen, &q->c.last_seen,  &q->c.n1_events,
                       &q->c.n1_largest_run, &q->c.n1_calls,   &q->c.n1_time_us, &q->c.n1_last_seen};
  for (Counter *f : fields)
    put(*f, 0);
  for (Counter &b : q->c.buckets)
    put(b, 0);
  put(q->text_len, 0);
}

// Text of a slot entry, read without the writer's cooperation: retried while the writer is busy with it.
std::string read_slot_text(SlotQuery *q) {
  std::string text;
  for (int attempt = 0; attempt < 5; attempt++) {
    const std::uint64_t before = q->text_version.load(std::memory_order_acquire);
    if (before % 2 != 0)
      continue;
    const auto len = std::min<std::uint64_t>(get(q->text_len), static_cast<std::uint64_t>(layout.text_size - 1));
    text.assign(slot_text(q), len);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (q->text_version.load(std::memory_order_relaxed) == before)
      break;
  }
  return text;
}

// --- the shared table (under the lock, exclusive) -----------------------------------------------------------------

// Forgets the least recently seen 5% of the table (at least one entry): a histogram of last_seen over 64 bins picks
// the cut-off bin, so no sort and no allocation. Entries of older bins go, and from the cut-off bin only as many as
// are still wanted (entries often share a last_seen: nested statements carry their top-level statement's start).
void evict_locked() {
  HASH_SEQ_STATUS scan;
  SharedQuery *e;
  std::uint64_t oldest = UINT64_MAX, newest = 0;
  long n = 0;
  hash_seq_init(&scan, table);
  while ((e = static_cast<SharedQuery *>(hash_seq_search(&scan))) != nullptr) {
    oldest = std::min(oldest, e->totals.last_seen);
    newest = std::max(newest, e->totals.last_seen);
    n++;
  }
  if (n == 0)
    return;
  constexpr int kBins = 64;
  const std::uint64_t span = newest - oldest + 1;
  auto bin_of = [&](std::uint64_t t) {
    return static_cast<int>(static_cast<unsigned __int128>(t - oldest) * kBins / span);
  };
  long bins[kBins] = {};
  hash_seq_init(&scan, table);
  while ((e = static_cast<SharedQuery *>(hash_seq_search(&scan))) != nullptr)
    bins[bin_of(e->totals.last_seen)]++;
  const long wanted = std::max<long>(1, n / 20);
  int cut = 0;
  long before_cut = 0;
  for (; cut < kBins - 1 && before_cut + bins[cut] < wanted; cut++)
    before_cut += bins[cut];
  long from_cut = wanted - before_cut;
  std::uint64_t removed = 0;
  hash_seq_init(&scan, table);
  while ((e = static_cast<SharedQuery *>(hash_seq_search(&scan))) != nullptr) {
    const int bin = bin_of(e->totals.last_seen);
    if (bin < cut || (bin == cut && from_cut > 0)) {
      if (bin == cut)
        from_cut--;
      hash_search(table, &e->key, HASH_REMOVE, nullptr);
      removed++;
    }
  }
  bump(header->evictions, removed);
}

void move_to_table_locked(SlotQuery *q) {
  if (get(q->c.calls) == 0)
    return;
  QueryKey key;
  std::memset(&key, 0, sizeof(key));
  key.query_id = get(q->query_id);
  key.database = static_cast<Oid>(get(q->owner) >> 32);
  key.role = static_cast<Oid>(get(q->owner) & 0xffffffffu);
  bool found = false;
  auto *e = static_cast<SharedQuery *>(hash_search(table, &key, HASH_FIND, nullptr));
  if (e == nullptr) {
    if (hash_get_num_entries(table) >= layout.max_queries)
      evict_locked();
    e = static_cast<SharedQuery *>(hash_search(table, &key, HASH_ENTER_NULL, &found));
    if (e == nullptr)
      return;
    std::memset(&e->totals, 0, sizeof(e->totals));
    e->text_len = 0;
  }
  const bool slower = e->totals.calls == 0 || get(q->c.max_us) > e->totals.max_us;
  add_totals(e->totals, q->c);
  if (slower) {
    const auto len = std::min<std::uint64_t>(get(q->text_len), static_cast<std::uint64_t>(layout.text_size - 1));
    std::memcpy(entry_text(e), slot_text(q), len);
    e->text_len = static_cast<std::uint32_t>(len);
  }
}

// Moves the slot's statement shapes into the shared table (if the slot is current) and frees its entries.
void flush_locked(Slot *slot) {
  const bool current = get(slot->generation) == get(header->generation);
  for (int i = 0; i < kSlotQueries; i++) {
    SlotQuery *q = slot_query(slot, i);
    if (current)
      move_to_table_locked(q);
    zero_query(q);
  }
}

void fold_database_locked(Slot *slot) {
  const std::uint64_t db = get(slot->db.database);
  if (db == 0 || get(slot->db.calls) == 0)
    return;
  DatabaseCounters *target = nullptr;
  for (DatabaseCounters &r : header->retired) {
    if (get(r.database) == db) {
      target = &r;
      break;
    }
    if (target == nullptr && get(r.database) == 0)
      target = &r;
  }
  if (target == nullptr) {
    bump(header->dropped_databases, 1);
    return;
  }
  put(target->database, db);
  bump(target->calls, get(slot->db.calls));
  bump(target->total_us, get(slot->db.total_us));
  put(target->max_us, std::max(get(target->max_us), get(slot->db.max_us)));
  bump(target->within_target, get(slot->db.within_target));
  for (std::size_t i = 0; i < Fine::kBuckets; i++)
    bump(target->buckets[i], get(slot->db.buckets[i]));
}

// --- dropped databases ----------------------------------------------------------------------------------------------

void forget_retired_locked(Oid database) {
  for (DatabaseCounters &r : header->retired)
    if (get(r.database) == database)
      zero_database(r);
}

// before_shmem_exit: the exiting backend folds its slot into the shared parts and gives it up.
void on_backend_exit(int, Datum) noexcept {
  Slot *slot = my_slot_ptr;
  // (never while holding the lock already: an exit from inside a locked section would wait for itself)
  if (slot == nullptr || header == nullptr || LWLockHeldByMe(header->lock))
    return;
  LWLockAcquire(header->lock, LW_EXCLUSIVE);
  if (get(slot->generation) == get(header->generation)) {
    fold_database_locked(slot);
    flush_locked(slot);
  }
  zero_database(slot->db);
  slot->generation.store(0, std::memory_order_release);
  LWLockRelease(header->lock);
  my_slot_ptr = nullptr;
}

// --- this backend's slot ---------------------------------------------------------------------------------------------

Slot *my_slot() {
  if (slot_tried)
    return my_slot_ptr;
  slot_tried = true;
  if (IsParallelWorker() || !OidIsValid(MyDatabaseId))
    return nullptr;
  const int i = pg::compat::backend_index();
  if (i < 0 || i >= layout.slot_count)
    return nullptr;
  Slot *slot = slot_at(i);
  slot->generation.store(0, std::memory_order_release); // cleared at the first statement
  before_shmem_exit(pgo_latency_backend_exit, 0);
  my_slot_ptr = slot;
  return slot;
}

// The owner clears its slot for a new generation (first statement, or after a reset). Readers skip the slot until the
// generation is stored.
void start_generation(Slot *slot, std::uint64_t generation) {
  zero_database(slot->db);
  put(slot->db.database, MyDatabaseId);
  for (int i = 0; i < kSlotQueries; i++)
    zero_query(slot_query(slot, i));
  runs.clear();
  slot->generation.store(generation, std::memory_order_release);
}

SlotQuery *find_or_claim(Slot *slot, std::uint64_t query_id, std::uint64_t owner) {
  SlotQuery *free_entry = nullptr;
  for (int i = 0; i < kSlotQueries; i++) {
    SlotQuery *q = slot_query(slot, i);
    const std::uint64_t id = get(q->query_id);
    if (id == query_id && get(q->owner) == owner)
      return q;
    if (id == 0 && free_entry == nullptr)
      free_entry = q;
  }
  if (free_entry == nullptr) {
    // Full: move every entry to the shared table at once (one lock acquisition per kSlotQueries new shapes).
    LWLockAcquire(header->lock, LW_EXCLUSIVE);
    flush_locked(slot);
    LWLockRelease(header->lock);
    free_entry = slot_query(slot, 0);
  }
  put(free_entry->owner, owner);
  put(free_entry->query_id, query_id);
  return free_entry;
}

void write_text(SlotQuery *q, const StatementText &t) {
  const char *src = t.source;
  int len = 0;
  if (src != nullptr) {
    if (t.location >= 0) {
      src += t.location;
      len = t.length > 0 ? t.length : static_cast<int>(std::strlen(src));
    } else {
      len = static_cast<int>(std::strlen(src));
    }
    while (len > 0 && std::isspace(static_cast<unsigned char>(*src))) {
      src++;
      len--;
    }
    while (len > 0 && std::isspace(static_cast<unsigned char>(src[len - 1])))
      len--;
    if (len > layout.text_size - 1)
      len = pg_mbcliplen(src, len, layout.text_size - 1);
  }
  const std::uint64_t version = get(q->text_version);
  q->text_version.store(version + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  if (len > 0)
    std::memcpy(slot_text(q), src, static_cast<size_t>(len));
  put(q->text_len, static_cast<std::uint64_t>(len));
  q->text_version.store(version + 2, std::memory_order_release);
}

// --- shared memory hooks --------------------------------------------------------------------------------------------

void shmem_request() {
  if (prev_shmem_request)
    prev_shmem_request();
  layout = compute_layout();
  RequestAddinShmemSpace(layout.total);
  RequestNamedLWLockTranche(kTranche, 1);
}

void shmem_startup() {
  if (prev_shmem_startup)
    prev_shmem_startup();
  layout = compute_layout();
  bool found = false;
  LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
  header = static_cast<SharedHeader *>(ShmemInitStruct("pg_optimize latency", MAXALIGN(sizeof(SharedHeader)), &found));
  if (!found) {
    std::memset(static_cast<void *>(header), 0, sizeof(SharedHeader));
    header->lock = &(GetNamedLWLockTranche(kTranche))->lock;
    put(header->generation, 1);
    header->since.store(GetCurrentTimestamp());
    put(header->target_us, static_cast<std::uint64_t>(pgo::settings::slow_query_ms) * 1000);
  }
  slots = static_cast<char *>(ShmemInitStruct("pg_optimize latency slots", layout.slots_bytes, &found));
  if (!found)
    std::memset(slots, 0, layout.slots_bytes);
  HASHCTL info;
  std::memset(&info, 0, sizeof(info));
  info.keysize = sizeof(QueryKey);
  info.entrysize = layout.entry_size;
  table = ShmemInitHash("pg_optimize latency queries", layout.max_queries, layout.max_queries, &info,
                        HASH_ELEM | HASH_BLOBS);
  LWLockRelease(AddinShmemInitLock);
  if (!IsUnderPostmaster)
    ereport(LOG, (errmsg("pg_optimize: latency tracking uses %zu kB of shared memory (%d backend slots, %d statement "
                         "shapes, query texts of up to %d bytes)",
                         layout.total / 1024, layout.slot_count, layout.max_queries, layout.text_size)));
}

} // namespace
} // namespace pgo::latency

extern "C" {
static void pgo_latency_shmem_request(void) {
  pgo::pg::barrier([] { pgo::pg::guard([] { pgo::latency::shmem_request(); }); });
}
static void pgo_latency_shmem_startup(void) {
  pgo::pg::barrier([] { pgo::pg::guard([] { pgo::latency::shmem_startup(); }); });
}
static void pgo_latency_backend_exit(int code, Datum arg) { pgo::latency::on_backend_exit(code, arg); }
}

namespace pgo::latency {

void install_shared_memory() {
  prev_shmem_request = shmem_request_hook;
  shmem_request_hook = pgo_latency_shmem_request;
  prev_shmem_startup = shmem_startup_hook;
  shmem_startup_hook = pgo_latency_shmem_startup;
}

bool shared_memory_ready() { return header != nullptr; }

void forget_database(Oid database) {
  if (header == nullptr || !OidIsValid(database))
    return;
  LWLockAcquire(header->lock, LW_EXCLUSIVE);
  forget_retired_locked(database);
  LWLockRelease(header->lock);
}

void record(const Statement &st) noexcept {
  if (header == nullptr)
    return;
  Slot *slot = my_slot();
  if (slot == nullptr)
    return;
  const std::uint64_t generation = header->generation.load(std::memory_order_acquire);
  if (get(slot->generation) != generation)
    start_generation(slot, generation);

  const std::uint64_t us = st.duration_ns / 1000;
  const bool within = st.duration_ns <= get(header->target_us) * 1000;
  DatabaseCounters &d = slot->db;
  bump(d.calls, 1);
  bump(d.total_us, us);
  if (us > get(d.max_us))
    put(d.max_us, us);
  if (within)
    bump(d.within_target, 1);
  bump(d.buckets[Fine::index(us)], 1);
  if (st.query_id == 0)
    return;

  const std::uint64_t owner = (static_cast<std::uint64_t>(MyDatabaseId) << 32) | GetUserId();
  SlotQuery *q = find_or_claim(slot, st.query_id, owner);
  const auto now = static_cast<std::uint64_t>(GetCurrentStatementStartTimestamp());
  const bool first = get(q->c.calls) == 0;
  const bool slowest = first || us > get(q->c.max_us);
  bump(q->c.calls, 1);
  bump(q->c.total_us, us);
  if (first || us < get(q->c.min_us))
    put(q->c.min_us, us);
  if (slowest)
    put(q->c.max_us, us);
  if (!within)
    bump(q->c.slow_calls, 1);
  if (first)
    put(q->c.first_seen, now);
  put(q->c.last_seen, now);
  bump(q->c.buckets[Coarse::index(us)], 1);
  if (slowest)
    write_text(q, st.text);

  const core::RunStep step = runs.observe(st.query_id, st.end_mono_us - std::min(us, st.end_mono_us), st.end_mono_us,
                                          static_cast<std::uint64_t>(settings::n_plus_one_gap_ms) * 1000,
                                          static_cast<std::uint32_t>(settings::n_plus_one_threshold));
  if (step.in_event) {
    if (step.new_event)
      bump(q->c.n1_events, 1);
    // a run that began before the entry was moved to the shared table counts its executions here again
    put(q->c.n1_largest_run, std::max<std::uint64_t>(get(q->c.n1_largest_run), step.run_length));
    bump(q->c.n1_calls, step.add_calls);
    bump(q->c.n1_time_us, step.add_time_us);
    put(q->c.n1_last_seen, now);
  }
}

Snapshot snapshot(Queries wanted) {
  const bool with_queries = wanted != Queries::None;
  Snapshot snap;
  if (header == nullptr)
    return snap;
  snap.active = true;
  std::map<Oid, DatabaseRow> databases;
  std::map<std::tuple<std::uint64_t, Oid, Oid>, QueryRow> queries;
  // With NPlusOneOnly, the keys of the shapes with N+1 events, found in a first pass over the same sources.
  std::set<std::tuple<std::uint64_t, Oid, Oid>> n_plus_one;
  std::vector<SharedQuery *> n_plus_one_entries; // their entries in the shared table (stable while the lock is held)
  auto add_query = [&](const QueryKey &key, auto &&add, auto &&text_of, std::uint64_t max_us) {
    if (wanted == Queries::NPlusOneOnly && n_plus_one.count(std::make_tuple(key.query_id, key.database, key.role)) == 0)
      return;
    QueryRow &row = queries[std::make_tuple(key.query_id, key.database, key.role)];
    const bool slower = row.totals.calls == 0 || max_us > row.totals.max_us;
    row.key = key;
    add(row.totals);
    if (slower)
      row.text = text_of();
  };
  // Allocation below may throw with the lock held: the ERROR it becomes aborts the transaction, which releases it.
  pg::guard([] { LWLockAcquire(header->lock, LW_SHARED); });
  const std::uint64_t generation = get(header->generation);
  snap.since = header->since.load();
  snap.target_us = get(header->target_us);
  snap.evictions = get(header->evictions);
  snap.dropped_databases = get(header->dropped_databases);
  for (const DatabaseCounters &r : header->retired)
    if (get(r.database) != 0)
      add_database(databases[static_cast<Oid>(get(r.database))], r);
  if (wanted == Queries::NPlusOneOnly) {
    for (int i = 0; i < layout.slot_count; i++) {
      Slot *slot = slot_at(i);
      if (slot->generation.load(std::memory_order_acquire) != generation || get(slot->db.database) == 0)
        continue;
      for (int k = 0; k < kSlotQueries; k++) {
        SlotQuery *q = slot_query(slot, k);
        if (get(q->query_id) != 0 && get(q->c.n1_events) != 0)
          n_plus_one.emplace(get(q->query_id), static_cast<Oid>(get(q->owner) >> 32),
                             static_cast<Oid>(get(q->owner) & 0xffffffffu));
      }
    }
    HASH_SEQ_STATUS scan;
    hash_seq_init(&scan, table);
    SharedQuery *e;
    while ((e = static_cast<SharedQuery *>(hash_seq_search(&scan))) != nullptr)
      if (e->totals.n1_events != 0) {
        n_plus_one.emplace(e->key.query_id, e->key.database, e->key.role);
        n_plus_one_entries.push_back(e);
      }
  }
  for (int i = 0; i < layout.slot_count; i++) {
    Slot *slot = slot_at(i);
    if (slot->generation.load(std::memory_order_acquire) != generation || get(slot->db.database) == 0)
      continue;
    add_database(databases[static_cast<Oid>(get(slot->db.database))], slot->db);
    if (!with_queries)
      continue;
    for (int k = 0; k < kSlotQueries; k++) {
      SlotQuery *q = slot_query(slot, k);
      if (get(q->query_id) == 0 || get(q->c.calls) == 0)
        continue;
      QueryKey key{get(q->query_id), static_cast<Oid>(get(q->owner) >> 32),
                   static_cast<Oid>(get(q->owner) & 0xffffffffu)};
      add_query(
          key, [&](QueryTotals &t) { add_totals(t, q->c); }, [&] { return read_slot_text(q); }, get(q->c.max_us));
    }
  }
  auto add_entry = [&](SharedQuery *e) {
    add_query(
        e->key, [&](QueryTotals &t) { add_totals(t, e->totals); },
        [&] { return std::string(entry_text(e), e->text_len); }, e->totals.max_us);
  };
  if (wanted == Queries::NPlusOneOnly) {
    // Only the entries found above: no second pass over a table of thousands of shapes.
    for (SharedQuery *e : n_plus_one_entries)
      add_entry(e);
  } else if (with_queries) {
    HASH_SEQ_STATUS scan;
    hash_seq_init(&scan, table);
    SharedQuery *e;
    while ((e = static_cast<SharedQuery *>(hash_seq_search(&scan))) != nullptr)
      add_entry(e);
  }
  LWLockRelease(header->lock);
  for (auto &[oid, row] : databases) {
    row.database = oid;
    if (row.calls > 0)
      snap.databases.push_back(std::move(row));
  }
  for (auto &[key, row] : queries)
    snap.queries.push_back(std::move(row));
  return snap;
}

void reset() {
  if (header == nullptr)
    return;
  const std::uint64_t target_us = static_cast<std::uint64_t>(pgo::settings::slow_query_ms) * 1000;
  pg::guard([&] {
    LWLockAcquire(header->lock, LW_EXCLUSIVE);
    header->generation.fetch_add(1, std::memory_order_acq_rel);
    header->since.store(GetCurrentTimestamp());
    put(header->target_us, target_us);
    put(header->evictions, 0);
    put(header->dropped_databases, 0);
    for (DatabaseCounters &r : header->retired)
      zero_database(r);
    HASH_SEQ_STATUS scan;
    hash_seq_init(&scan, table);
    SharedQuery *e;
    while ((e = static_cast<SharedQuery *>(hash_seq_search(&scan))) != nullptr)
      hash_search(table, &e->key, HASH_REMOVE, nullptr);
    LWLockRelease(header->lock);
  });
  runs.clear();
}

} // namespace pgo::latency
