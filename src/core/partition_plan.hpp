// The migration plan that turns a plain table into a RANGE-partitioned one (optimize.partition_plan), and the
// interval arithmetic of optimize.partition_advice.
//
// PostgreSQL-free: the caller reads the catalogs and hands over the facts with every name already quoted (or
// unquoted where a new name is derived from it, with a quoting function to finish it). The plan is a list of
// statements, each with the lock it takes:
//   prepare  ADD CONSTRAINT ... CHECK (key bound) NOT VALID (ACCESS EXCLUSIVE for a moment, no scan), then
//            VALIDATE CONSTRAINT (SHARE UPDATE EXCLUSIVE: reads and writes go on during the scan);
//   build    the partitioned parent under a temporary name (<table>_partitioned) with the table's columns, defaults,
//            identity (its own sequence), CHECK and primary/unique constraints, indexes, foreign keys out, owner and
//            grants, and the future partitions: new objects nobody uses yet;
//   switch   one transaction under lock_timeout: LOCK the table (ACCESS EXCLUSIVE), drop the foreign keys that
//            reference it, carry the identity's value over, rename the table and its indexes out of the way and the
//            parent and its indexes into place, ATTACH the table as the partition FROM (MINVALUE) TO (bound) (no scan:
//            the validated CHECK proves the bound), add the foreign keys in again as NOT VALID;
//   finish   VALIDATE the foreign keys in (SHARE UPDATE EXCLUSIVE), ANALYZE.
#pragma once

#include "core/postgres_free.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/partition_bounds.hpp"

namespace pgo::core {

using QuoteFunction = std::function<std::string(const std::string &)>;

struct PlanColumn {
  std::string name;         // quoted
  std::string type;         // format_type()
  std::string collation;    // " COLLATE ..." or empty
  std::string default_expr; // empty: none
  bool not_null = false;
  char identity = '\0'; // 'a' ALWAYS, 'd' BY DEFAULT
  // For an identity column: its sequence (schema quoted, name unquoted) and options ("INCREMENT BY 1 ...").
  std::string identity_sequence_schema, identity_sequence_name, identity_options;
  std::string owned_sequence; // a serial column's sequence, quoted and qualified; empty otherwise
};

struct PlanIndex {
  std::string name;        // unquoted (the schema is the table's)
  std::string definition;  // pg_get_indexdef(), or pg_get_constraintdef() when `constraint`
  bool constraint = false; // a PRIMARY KEY or UNIQUE constraint's index
};

struct PlanConstraint {
  std::string name;       // quoted
  std::string definition; // pg_get_constraintdef()
};

struct PlanReferencingKey {
  std::string table;      // quoted, qualified
  std::string name;       // quoted
  std::string definition; // pg_get_constraintdef(), naming the table being partitioned
  bool table_partitioned = false;
};

struct PlanGrant {
  std::string privilege; // SELECT, INSERT, ...
  std::string grantee;   // quoted role name or PUBLIC
  bool grantable = false;
};

struct PlanInput {
  std::string schema, name; // unquoted
  std::string owner;        // quoted role name
  std::string key;          // unquoted
  PartitionKeyType key_type = PartitionKeyType::Timestamptz;
  std::string key_sql_type; // the key's type, qualified: "pg_catalog.timestamptz"
  PartitionStep step;
  std::string step_sql;     // how the call named the step: "'1 day'" or "step => 1000"
  std::int64_t current = 0; // now (time keys) or the largest key value (integer keys)
  int premake = 4;
  std::vector<PlanColumn> columns;
  std::vector<PlanIndex> indexes;
  std::vector<PlanConstraint> checks, foreign_keys;
  std::vector<PlanReferencingKey> referencing;
  std::vector<PlanGrant> grants;
};

struct PlanStep {
  int step = 0;
  std::string phase; // prepare, build, switch, finish
  std::string statement;
  std::string lock; // the strongest lock it takes and on what; "" when none that matters
  std::string note;
};

// The upper bound of the existing table as a partition: the end of the slot holding `current`, or of the next one
// when less than a quarter of the slot is left (rows keep arriving while the plan runs).
std::int64_t legacy_upper_bound(const PartitionStep &step, std::int64_t current);

// CREATE INDEX text of the parent's copy of an index: pg_get_indexdef() of `index` on `table` retargeted to `parent`
// under `new_index` (all quoted, table and parent qualified). Throws pgo::Error XX000 when the text does not have
// the form PostgreSQL writes.
std::string retarget_index_definition(const std::string &definition, const std::string &index,
                                      const std::string &new_index, const std::string &table,
                                      const std::string &parent);

// The whole plan; the input is assumed checked (no blockers).
std::vector<PlanStep> migration_plan(const PlanInput &in, const QuoteFunction &quote);

// Partition advice: the coarsest of 1 month, 1 week, 1 day whose partitions stay under `max_partition_bytes` for a
// table of `table_bytes` whose key spans `span_seconds` (day when even days are bigger); for an integer key spanning
// `span_values`, a step of 1, 2 or 5 times a power of ten.
struct IntervalAdvice {
  std::string interval;        // "1 month", "1 week", "1 day" or the integer step
  std::int64_t partitions = 0; // partitions the current rows fill
  std::int64_t bytes_per_partition = 0;
};
constexpr std::int64_t kAdvicePartitionBytes = 2LL * 1024 * 1024 * 1024;
IntervalAdvice time_interval_advice(std::int64_t table_bytes, std::int64_t span_seconds,
                                    std::int64_t max_partition_bytes = kAdvicePartitionBytes);
IntervalAdvice integer_step_advice(std::int64_t table_bytes, std::int64_t span_values,
                                   std::int64_t max_partition_bytes = kAdvicePartitionBytes);

// The key advice suggests among a table's columns: time-like columns whose values grow with the physical order
// (correlation at least 0.5) first, then integer columns that grow almost strictly with it (at least 0.95); NOT
// NULL columns before nullable ones, then the higher correlation, then the earlier column. std::nullopt: none fits.
struct KeyCandidate {
  bool time_like = false;
  bool not_null = false;
  double correlation = 0;
};
std::optional<std::size_t> choose_partition_key(const std::vector<KeyCandidate> &candidates);

} // namespace pgo::core
