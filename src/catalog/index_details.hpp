// Every index with what index health needs to compare indexes with each other: key and INCLUDE columns, operator
// classes, collations, options, expressions and predicate, and the constraints it enforces. One scan of pg_index.
#pragma once

#include <string>
#include <vector>

#include "catalog/class_catalog.hpp"
#include "catalog/inheritance.hpp"
#include "pg/postgres.hpp"

namespace pgo::catalog {

struct IndexDetails {
  Oid index = InvalidOid;
  Oid table = InvalidOid;
  Oid access_method = InvalidOid;
  int key_count = 0;                 // indnkeyatts
  std::vector<std::int16_t> columns; // indkey, key columns first, then INCLUDE columns; 0 = expression
  std::vector<Oid> opclasses;        // per key column
  std::vector<Oid> collations;       // per key column
  std::vector<std::int16_t> options; // indoption per key column (DESC, NULLS FIRST)
  std::string expressions;           // nodeToString form, "" when none
  std::string predicate;             // nodeToString form, "" when not partial
  bool unique = false, primary = false, exclusion = false, replica_identity = false;
  bool nulls_not_distinct = false; // indnullsnotdistinct (PostgreSQL 15+)
  bool immediate = true;           // indimmediate: false for a deferrable constraint's index
  bool valid = false, ready = false, live = false;
  bool partitioned = false;      // relkind I: an index of a partitioned table, with no storage of its own
  Oid parent_index = InvalidOid; // the partitioned index it is attached to (pg_inherits), if any
  // A constraint that depends on the index (conindid): its own PRIMARY KEY, UNIQUE or EXCLUDE constraint, or a
  // foreign key referencing it. DROP INDEX refuses such an index. Empty when none.
  std::string constraint_name;
  char constraint_type = 0; // pg_constraint.contype of that constraint
  bool constraint_backed() const { return !constraint_name.empty(); }
  bool attached() const { return OidIsValid(parent_index); }
  bool partial() const { return !predicate.empty(); }
  // Enforces something: dropping it would change behaviour, not just speed.
  bool enforces_constraint() const { return unique || primary || exclusion || replica_identity; }
};

std::vector<IndexDetails> read_index_details(const ClassCatalog &classes, const Inheritance &inheritance);
// The same, reading pg_inherits itself.
std::vector<IndexDetails> read_index_details(const ClassCatalog &classes);

// Just the invalid indexes (indisvalid = false) outside the excluded schemas: a cheap scan for alerts.
std::vector<Oid> invalid_indexes(const ClassCatalog &classes);

} // namespace pgo::catalog
