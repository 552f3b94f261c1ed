// Latency tracking's shared memory: one slot per backend that only its backend writes, a per-database accumulator for
// the slots of backends that have exited, and a bounded shared table of statement shapes.
//
// The per-statement path takes no lock. A backend adds each statement to its own slot: the database histogram,
// counters and the exact count within the target, and the statement shape's counters in one of the slot's
// kSlotQueries entries. Each slot has a single writer, so counters are std::atomic words written with a relaxed load
// and store (no locked instruction); readers load them and may see a statement half-added, never a torn word.
// The shared table is touched only when a slot's entries are full (the backend moves them all into the table at once,
// under the LWLock, exclusive) and when a backend exits (its slot is folded into the per-database accumulator and
// the table). Readers hold the lock in shared mode and merge the table, the accumulators and every live slot, so they
// see every statement, whether a backend has moved it yet or not.
//
// optimize.reset_latency() bumps a generation number under the lock and clears the shared parts; a slot whose
// generation is older is ignored by readers and cleared by its own backend at its next statement, so no backend ever
// writes into another's slot.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "core/latency_histogram.hpp"
#include "pg/postgres.hpp"

extern "C" {
#include "datatype/timestamp.h"
}

namespace pgo::latency {

using Counter = std::atomic<std::uint64_t>;
static_assert(Counter::is_always_lock_free, "shared counters must be lock-free words");

inline constexpr int kMaxDatabases = 64;
inline constexpr int kSlotQueries = 16;

// Counters of one statement shape. T is Counter in slots (single writer) and std::uint64_t in snapshots and in the
// shared table (changed under the lock).
template <typename T> struct QueryCounters {
  T calls, total_us, min_us, max_us, slow_calls;
  T first_seen, last_seen; // TimestampTz
  T n1_events, n1_largest_run, n1_calls, n1_time_us, n1_last_seen;
  T buckets[core::CoarseLatencyScale::kBuckets];
};
using QueryTotals = QueryCounters<std::uint64_t>;

struct QueryKey {
  std::uint64_t query_id;
  Oid database;
  Oid role;
};

// One statement shape as readers see it.
struct QueryRow {
  QueryKey key{};
  QueryTotals totals{};
  std::string text; // the slowest call's text
};

// Per-database figures, merged over exited and live backends.
struct DatabaseRow {
  Oid database = InvalidOid;
  std::uint64_t calls = 0, total_us = 0, max_us = 0, within_target = 0;
  std::vector<std::uint64_t> buckets; // core::FineLatencyScale
};

struct Snapshot {
  bool active = false;   // shared memory is there (pg_optimize preloaded)
  TimestampTz since = 0; // start, or last reset
  std::uint64_t target_us = 0;
  std::uint64_t evictions = 0;
  std::uint64_t dropped_databases = 0;
  std::vector<DatabaseRow> databases;
  std::vector<QueryRow> queries; // filled only when asked for
};

// Called from _PG_init when preloaded: requests shared memory and installs the shmem hooks.
void install_shared_memory();
bool shared_memory_ready();

// The statement path (hooks). noexcept: never allocates, throws or raises.
struct StatementText {
  const char *source = nullptr; // whole source string
  int location = -1;            // statement's offset, -1: the whole string
  int length = 0;               // 0: to the end
};
struct Statement {
  std::uint64_t query_id = 0;
  std::uint64_t duration_ns = 0; // the exact count within the target compares nanoseconds; the rest is in microseconds
  std::uint64_t end_mono_us = 0; // monotonic clock, for N+1 runs (a run's pauses are end to next start)
  StatementText text;
};
void record(const Statement &statement) noexcept;

// Frees the per-database accumulator of a database that no longer exists (after DROP DATABASE, or found gone by a
// reader), so that the kMaxDatabases accumulators are never used up by dropped databases. Plain C-style: takes the
// LWLock, may raise only what LWLockAcquire raises.
void forget_database(Oid database);

// Readers (SQL functions). `wanted` says which statement shapes to copy besides the per-database figures.
// What a snapshot reads of the statement shapes: none (database figures only), every shape, or only the shapes with
// N+1 events (what the alerts need: no text is copied for the others).
enum class Queries { None, All, NPlusOneOnly };
Snapshot snapshot(Queries queries);
// Clears everything and takes the target from pg_optimize.slow_query_ms as the caller sees it.
void reset();

} // namespace pgo::latency
