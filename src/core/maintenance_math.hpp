// PostgreSQL's own maintenance arithmetic: when autovacuum vacuums or analyzes a table, and how far transaction ids
// have aged toward wraparound.
//
// The thresholds mirror relation_needs_vacanalyze() in src/backend/postmaster/autovacuum.c of PostgreSQL 13 to 18,
// float4 arithmetic included, so a table shows as due exactly when autovacuum would take it. PostgreSQL-free: callers
// pass settings with reloptions already resolved over the GUCs (a reloption, when set, wins), pg_class values and the
// cumulative statistics (pg_stat_all_tables).
#pragma once

#include "core/postgres_free.hpp"

#include <cstdint>
#include <optional>

namespace pgo::core {

// Inputs of the vacuum decision; the setting defaults are PostgreSQL's.
struct VacuumInputs {
  std::int64_t dead_tuples = 0;          // n_dead_tup
  std::int64_t inserts_since_vacuum = 0; // n_ins_since_vacuum
  double reltuples = -1;                 // pg_class.reltuples; negative: never vacuumed or analyzed
  // PostgreSQL 18 scales the insert threshold by the share of pages not all-frozen; leave both unset before 18.
  std::optional<std::int64_t> relpages;     // pg_class.relpages
  std::optional<std::int64_t> relallfrozen; // pg_class.relallfrozen

  std::int64_t vacuum_threshold = 50;   // autovacuum_vacuum_threshold
  double vacuum_scale_factor = 0.2;     // autovacuum_vacuum_scale_factor
  std::int64_t insert_threshold = 1000; // autovacuum_vacuum_insert_threshold; -1 disables insert-driven vacuum
  double insert_scale_factor = 0.2;     // autovacuum_vacuum_insert_scale_factor
  // autovacuum_vacuum_max_threshold (PostgreSQL 18, default 100000000; -1 disables); unset before 18.
  std::optional<std::int64_t> vacuum_max_threshold;
};

struct VacuumThresholds {
  double dead_tuples = 0;        // vacthresh
  std::optional<double> inserts; // vacinsthresh; nullopt when insert-driven vacuum is disabled
};

// autovacuum's vacthresh = threshold + scale_factor * reltuples, capped at vacuum_max_threshold (18), and vacinsthresh
// = insert_threshold + insert_scale_factor * reltuples (* unfrozen share on 18), computed in float4 as autovacuum does;
// reltuples < 0 counts as 0.
VacuumThresholds vacuum_thresholds(const VacuumInputs &in);

// autovacuum's dovacuum without the wraparound override: dead tuples above vacthresh, or (unless disabled) inserts
// above vacinsthresh; strictly above, compared in float4. A table with autovacuum_enabled = off, or with no statistics
// entry yet, is skipped by autovacuum whatever this says; forced anti-wraparound vacuums: exceeds_freeze_max_age.
bool vacuum_needed(const VacuumInputs &in);

struct AnalyzeInputs {
  std::int64_t mod_since_analyze = 0; // n_mod_since_analyze
  double reltuples = -1;              // pg_class.reltuples; negative: never vacuumed or analyzed
  std::int64_t threshold = 50;        // autovacuum_analyze_threshold
  double scale_factor = 0.1;          // autovacuum_analyze_scale_factor
};

// autovacuum's anlthresh = threshold + scale_factor * reltuples in float4, reltuples < 0 counting as 0.
double analyze_threshold(const AnalyzeInputs &in);

// autovacuum's doanalyze: rows modified since the last ANALYZE strictly above anlthresh. (autovacuum never analyzes
// TOAST tables, pg_statistic or partitioned tables; the caller knows which relation it has.)
bool analyze_needed(const AnalyzeInputs &in);

// Transaction id space. A normal xid sees 2^31 - 1 (MaxTransactionId >> 1) ids as its past: at that age
// (SetTransactionIdLimit's xidWrapLimit) the oldest unfrozen xid would seem to be in the future. PostgreSQL 14 and
// later refuse to assign new xids 3,000,000 before that (xidStopLimit; 1,000,000 before 14), so the usable span, the
// 100% of xid_age_pct, is 2,147,483,647 - 3,000,000 = 2,144,483,647.
inline constexpr std::int64_t kXidWrapAge = 2147483647;
inline constexpr std::int64_t kXidStopMargin = 3000000;
inline constexpr std::int64_t kXidStopAge = kXidWrapAge - kXidStopMargin;
inline constexpr std::int64_t kDefaultFreezeMaxAge = 200000000; // autovacuum_freeze_max_age

// Share, in percent, of limit used by an xid age (age(relfrozenxid) or age(datfrozenxid)): by default of the span
// before PostgreSQL stops assigning xids; pass autovacuum_freeze_max_age for the way to a forced vacuum. Negative ages
// read as 0; past the limit the share exceeds 100. age() answers 2147483647 for a non-normal xid (relfrozenxid 0 of
// relations without storage): leave those out. Throws pgo::Error (22023) when limit is not positive.
double xid_age_pct(std::int64_t age, std::int64_t limit = kXidStopAge);

// True when autovacuum forces an anti-wraparound vacuum: relfrozenxid precedes next xid - freeze_max_age, that is its
// age is strictly above freeze_max_age (even with autovacuum_enabled = off). Holds as well for mxid_age(relminmxid)
// against the multixact freeze max age autovacuum uses (which it lowers when member space runs short).
bool exceeds_freeze_max_age(std::int64_t age, std::int64_t freeze_max_age);

// Dead share of a table's tuples, 100 * dead / (live + dead) as pg_stat_all_tables counts them; 0 when both are 0.
// Negative counts read as 0.
double dead_pct(std::int64_t live, std::int64_t dead);

} // namespace pgo::core
