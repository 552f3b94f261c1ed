// Every index with what index health needs to compare indexes with each other: key and INCLUDE columns, operator
// classes, collations, options, expressions and predicate, and the constraints it enforces. One scan of pg_index.
#pragma once

#include <string>
#include <vector>

#include "catalog/class_catalog.hpp"
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
  bool valid = false, ready = false, live = false;
  bool partial() const { return !predicate.empty(); }
  // Enforces something: dropping it would change behaviour, not just speed.
  bool enforces_constraint() const { return unique || primary || exclusion || replica_identity; }
};

std::vector<IndexDetails> read_index_details(const ClassCatalog &classes);

// Just the invalid indexes (indisvalid = false) outside the excluded schemas: a cheap scan for alerts.
std::vector<Oid> invalid_indexes(const ClassCatalog &classes);

} // namespace pgo::catalog
