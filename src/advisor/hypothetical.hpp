// Hypothetical indexes: indexes the planner sees while pg_optimize plans a statement, and that exist nowhere else.
//
// A CREATE INDEX statement is parsed and analysed the way CREATE INDEX would (raw_parser, transformIndexStmt, the
// operator classes resolved) but never executed; the result is a HypoIndex in palloc'd memory. While an
// ActiveHypothetical is alive, get_relation_info_hook adds an IndexOptInfo for each of its indexes to the planner's
// list for the table (and takes out those of the existing indexes it hides), with pages, tuples and tree height
// estimated (src/core/index_advice.hpp, gin_size.hpp), and explain_get_index_name_hook names them in EXPLAIN output.
// Outside pg_optimize's own planning calls the hooks only chain to the previous ones. The superuser-only developer
// setting pg_optimize.hypothetical_index_inputs replaces the estimated pages, tree height and tuples by given ones
// (src/core/hypothetical_inputs.hpp; for the bench's comparison with HypoPG).
//
// The functions here are plain PostgreSQL code: they raise ERRORs and are called under pg::guard().
#pragma once

#include <vector>

#include "core/index_advice.hpp"
#include "pg/postgres.hpp"

extern "C" {
#include "nodes/pg_list.h"
}

namespace pgo::advisor {

// One hypothetical index. Expressions and predicate refer to the table as range table entry 1.
struct HypoIndex {
  Oid oid;      // a made-up OID, never a real relation's
  Oid relid;    // the table
  Oid amoid;    // access method
  char *name;   // as EXPLAIN shows it
  int ncolumns; // key and INCLUDE columns
  int nkeycolumns;
  int *keys; // attribute numbers, 0 for an expression
  Oid *collations, *opfamilies, *opcintypes;
  bool *descending, *nulls_first;
  List *expressions; // for the keys that are 0, in order
  List *predicate;   // implicit-AND list, NIL when not partial
  bool unique;
  double key_width;           // average bytes of the key columns
  double gin_entries_per_row; // GIN: average entries a row puts in the index (src/core/gin_size.hpp)
  double key_ndistinct;       // btree that deduplicates: distinct key values in the table (statistics); 0 otherwise
};

// Parses and checks one CREATE INDEX statement (number: its position, for the name and the messages). Raises ERRORs
// with SQLSTATEs for anything that is not a single CREATE INDEX on a table the caller may read.
HypoIndex *hypothetical_index(const char *definition, int number);

// Estimated pages of the index on a table of `table_tuples` rows, of which `share` are indexed (partial indexes).
double hypothetical_pages(const HypoIndex *index, double table_tuples, double share);

// The index as the advisor compares indexes (keys and predicate deparsed the same way for both): of a hypothetical
// index, and of every valid index on a table.
core::IndexKeyShape shape_of(const HypoIndex *index);
std::vector<core::IndexKeyShape> existing_shapes(Oid relid);
// A valid index with the same method, keys and predicate as `index` (key directions aside), InvalidOid if none.
Oid existing_index_like(const HypoIndex *index);

void install_hypothetical_hooks();

// The indexes the planner sees while it is alive (a List of HypoIndex *, may be NIL), and the existing indexes it
// does not see (an OID List, may be NIL: an index a replacement would drop). Not nestable.
class ActiveHypothetical {
public:
  explicit ActiveHypothetical(List *indexes, List *hidden = NIL);
  ~ActiveHypothetical();
  ActiveHypothetical(const ActiveHypothetical &) = delete;
  ActiveHypothetical &operator=(const ActiveHypothetical &) = delete;
};

} // namespace pgo::advisor
