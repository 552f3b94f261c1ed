// Extending an existing index: the facts the replacement rule (core::may_extend, src/core/index_advice.hpp) needs,
// read from the relation cache for a table's indexes and from a hypothetical index.
//
// The functions here call PostgreSQL through pg::guard(); they may throw (a table dropped meanwhile).
#pragma once

#include <vector>

#include "advisor/hypothetical.hpp"
#include "core/index_advice.hpp"

namespace pgo::advisor {

struct ExistingIndex {
  Oid oid = InvalidOid;
  core::ReplaceableIndex facts;
  double key_width = 0; // average bytes of the key columns together
};

// Every index of the table (valid or not: an invalid one is never replaced, and an invalid longer one serves
// nothing).
std::vector<ExistingIndex> indexes_of(Oid relid);

core::ReplaceableIndex facts_of(const HypoIndex *index);

} // namespace pgo::advisor
