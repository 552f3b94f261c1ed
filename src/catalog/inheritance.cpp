#include "catalog/inheritance.hpp"

#include <algorithm>

#include "catalog/catalog_scan.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_inherits.h"
}

namespace pgo::catalog {

Inheritance Inheritance::read() {
  Inheritance result;
  CatalogScan scan(InheritsRelationId);
  while (HeapTuple tuple = scan.next()) {
    const auto *inh = reinterpret_cast<Form_pg_inherits>(GETSTRUCT(tuple));
    result.parent_[inh->inhrelid] = inh->inhparent;
    result.children_[inh->inhparent].push_back(inh->inhrelid);
  }
  scan.close();
  for (auto &[parent, children] : result.children_)
    std::sort(children.begin(), children.end());
  return result;
}

Oid Inheritance::parent_of(Oid relid) const {
  const auto found = parent_.find(relid);
  return found == parent_.end() ? InvalidOid : found->second;
}

const std::vector<Oid> &Inheritance::children_of(Oid relid) const {
  const auto found = children_.find(relid);
  return found == children_.end() ? none_ : found->second;
}

std::vector<Oid> Inheritance::leaves_of(Oid relid) const {
  std::vector<Oid> leaves;
  std::vector<Oid> pending{relid};
  // pg_inherits has no cycles, but a bound keeps a corrupt catalog from looping forever.
  for (std::size_t steps = 0; !pending.empty() && steps < 1000000; steps++) {
    const Oid rel = pending.back();
    pending.pop_back();
    const std::vector<Oid> &children = children_of(rel);
    if (children.empty())
      leaves.push_back(rel);
    else
      pending.insert(pending.end(), children.begin(), children.end());
  }
  return leaves;
}

} // namespace pgo::catalog
