// Partition trees as pg_inherits records them, read with one scan: the parent of each attached partition (tables)
// and of each attached partition index (indexes), and the children of each partitioned relation.
#pragma once

#include <unordered_map>
#include <vector>

#include "pg/postgres.hpp"

namespace pgo::catalog {

class Inheritance {
public:
  static Inheritance read();
  // InvalidOid when the relation is no attached partition (or partition index).
  Oid parent_of(Oid relid) const;
  // The direct children, in OID order; empty for a leaf.
  const std::vector<Oid> &children_of(Oid relid) const;
  // Every leaf below relid (relid itself when it has no children).
  std::vector<Oid> leaves_of(Oid relid) const;

private:
  std::unordered_map<Oid, Oid> parent_;
  std::unordered_map<Oid, std::vector<Oid>> children_;
  std::vector<Oid> none_;
};

} // namespace pgo::catalog
