// The index advisor's PostgreSQL-free rules: which columns a candidate btree index takes and in what order, whether
// an existing index already covers a candidate, how big an index will be, and which candidates to advise for a
// whole workload (greedy, so that one index serving many statements wins over one index per statement).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pgo::core {

// How a statement uses one column (or indexable expression) of a table.
enum class ColumnUse { Equality, Range, OrderBy };

struct UsedColumn {
  std::string key; // the key as CREATE INDEX writes it: a quoted column name or a parenthesised expression
  ColumnUse use = ColumnUse::Equality;
  bool descending = false; // ORDER BY ... DESC
  double distinct = 0;     // pg_stats.n_distinct as a count (0: unknown); more distinct values lead
};

// The key columns of btree candidates for one table of one statement, at most `max_columns` each: equality columns
// first (most distinct values first, duplicates dropped), then either the first range column or the ORDER BY
// columns (both when the ORDER BY starts with the range column). Two lists when a range column and a different
// ORDER BY both apply, and one more with the other range columns after the first (they filter inside the index):
// the planner chooses between them. Empty when nothing is indexable.
std::vector<std::vector<std::string>> btree_key_orders(const std::vector<UsedColumn> &columns, int max_columns);

enum class IndexKind { Btree, Partial, Gin, Expression };
const char *kind_name(IndexKind kind);

// An index as the advisor compares it: access method, key texts in order (direction left out), predicate text.
struct IndexKeyShape {
  std::string access_method; // "btree", "gin", ...
  std::vector<std::string> keys;
  std::string predicate; // "" when not partial
};

// An existing valid index already serves everything `candidate` would: same access method, same predicate (a
// partial candidate is smaller than a full index, so only the same predicate counts) and the candidate's keys are
// a leading prefix of the existing keys, as index_usage's redundancy check has it (for GIN, whose key order does not
// matter: the candidate's keys are among the existing ones).
bool covered_by(const IndexKeyShape &candidate, const IndexKeyShape &existing);

// Extending an existing index instead of adding one: an existing (user_id) replaced by a new (user_id, created_at)
// serves the existing index's statements from the new one, with no extra index written per row.
//
// One key column of an index as the replacement rule compares them.
struct KeyColumn {
  int column = 0;               // attribute number; 0 for an expression
  std::uint32_t opfamily = 0;   // operator class, as its family and input type
  std::uint32_t input_type = 0; //
  std::uint32_t collation = 0;  //
  bool descending = false, nulls_first = false;
  bool operator==(const KeyColumn &o) const {
    return column == o.column && opfamily == o.opfamily && input_type == o.input_type && collation == o.collation &&
           descending == o.descending && nulls_first == o.nulls_first;
  }
};

// An index as the replacement rule sees it.
struct ReplaceableIndex {
  std::string access_method;
  std::vector<KeyColumn> keys;
  std::vector<int> include_columns; // INCLUDE columns, attribute numbers
  bool valid = true;
  bool partial = false;
  // Anything that makes dropping it change behaviour, not only speed: unique, primary key, exclusion, replica
  // identity, a constraint that depends on it (its own, or a foreign key referencing it), attached to a partitioned
  // index.
  bool unique = false, primary = false, exclusion = false, replica_identity = false;
  bool constraint_backed = false, attached = false;
};

// May `candidate`, once built, replace `existing` (existing dropped)? index_usage's rule for an index made redundant
// by a longer one (src/health/index_usage.cpp, may_be_redundant and may_replace), with the candidate as the longer
// one: the existing index is a valid btree that enforces nothing and backs no constraint, is neither partial nor
// attached to a partitioned index and has no expression key (an invalid one is index_usage's to drop); the candidate is
// a valid, non-partial index of the same access method whose keys start with all the existing keys, with the same
// operator classes, collations and directions; and every column the existing index stores (INCLUDE columns too) is
// stored by the candidate.
bool may_extend(const ReplaceableIndex &existing, const ReplaceableIndex &candidate);
// Which of a table's indexes the candidate would replace: the one with the most keys among those may_extend allows;
// -1 when none.
int index_to_extend(const std::vector<ReplaceableIndex> &existing, const ReplaceableIndex &candidate);

// A statement may get this much costlier (as a share of its cost with the existing indexes) once the replaced index
// is gone before the replacement is refused: a longer key makes the same scan a little dearer.
constexpr double kReplaceTolerance = 0.02;
// No statement of the table gets costlier than kReplaceTolerance allows: before and after per statement (after < 0:
// not planned).
bool no_statement_worse(const std::vector<double> &before, const std::vector<double> &after);

// The share of one index entry's write cost that a replacement adds: only its extra key bytes, out of the new
// entry's size (tuple header and line pointer included); 0 when it is not wider.
double replacement_write_share(double existing_key_width, double candidate_key_width);

// Estimated size of a new index.
struct IndexSize {
  double pages = 1;    // including the metapage
  int tree_height = 0; // btree levels above the leaves (0: the root is a leaf); -1 for other methods
  std::int64_t bytes() const;
};
// tuples: index entries; key_width: average bytes of the key columns together; fillfactor: leaf fill, percent;
// rows_per_key: average rows sharing one key value where the index deduplicates them (1: unique or no deduplication).
IndexSize estimate_btree_size(double tuples, double key_width, int fillfactor = 90, int block_size = 8192,
                              double rows_per_key = 1);
// GIN: src/core/gin_size.hpp.

// How often a statement runs per day, from its calls during the window the latency statistics cover (since the
// server started or optimize.reset_latency()). The window counts as at least kMinObservedSeconds, the floor the
// table write rates use too: a burst of calls just after a reset is not a daily rate.
constexpr double kMinObservedSeconds = 3600;
double calls_per_day(double calls, double observed_seconds);

// Greedy selection over a workload.
struct AdviceStatement {
  double cost_before = 0;   // planner cost with the existing indexes only
  double calls_per_day = 0; // how often it runs
  double mean_ms = 0;       // its measured mean time
};
struct AdviceCandidate {
  std::vector<double> cost_after; // per statement, with this one hypothetical index; < 0: not planned (other table)
  double write_cost_ms_per_day = 0;
  // Alternatives. Candidates sharing a definition (>= 0) are one index added (replaces 0) or replacing an existing
  // index (replaces: its OID); at most one of them is chosen, the replacement while it is still possible, and at
  // most one candidate replaces a given existing index.
  int definition = -1;
  std::uint32_t replaces = 0;
};
struct AdviceChoice {
  int candidate = -1;
  std::vector<int> statements;            // the statements it helps (indexes into the workload)
  double cost_before = 0, cost_after = 0; // summed over those statements, per call
  double saved_ms_per_day = 0;            // measured mean time scaled by the cost saving, times calls per day
};
// Repeatedly takes the candidate saving the most time per day net of its write cost, counting for each statement
// only what it improves over the indexes already taken; stops when nothing left saves at least min_saving_pct of a
// statement's cost or pays for its writes. At most max_choices. A chosen candidate rules out its alternatives; a
// candidate adding an index is weighed only once its replacing alternative is ruled out (by another candidate
// replacing the same index): the replacement keeps one index fewer to write, store and vacuum.
std::vector<AdviceChoice> choose_indexes(const std::vector<AdviceStatement> &statements,
                                         const std::vector<AdviceCandidate> &candidates, double min_saving_pct,
                                         int max_choices = 20);

} // namespace pgo::core
