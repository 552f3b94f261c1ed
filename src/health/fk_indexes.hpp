// Foreign keys whose referencing side has no index to serve PostgreSQL's lookups (optimize.missing_fk_indexes()).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "catalog/class_catalog.hpp"
#include "catalog/foreign_keys.hpp"
#include "catalog/indexes.hpp"
#include "catalog/relation_size.hpp"

namespace pgo::health {

struct MissingFkIndex {
  const catalog::ForeignKey *fk; // points into the vector handed in
  std::int64_t table_bytes;
  std::vector<std::string> columns;
  std::string suggested_index;
  // Existing indexes the suggestion reuses (an invalid partitioned index an interrupted run left, its partitions'
  // indexes, attached or to attach): advice to drop them would undo it, or fail once they are attached.
  std::vector<Oid> completes;
};

// The rows of optimize.missing_fk_indexes(), biggest tables first, each handed to `emit` as it is built and not kept,
// from the foreign keys no index covers (catalog::read_uncovered_foreign_keys). `sizer` is used only until every size
// is measured; then `done_with_sizer` is called, and may free it.
void uncovered_fk_indexes(const std::deque<catalog::ForeignKey> &uncovered, const catalog::ClassCatalog &classes,
                          catalog::RelationSizer &sizer, const std::function<void(MissingFkIndex &&)> &emit,
                          const std::function<void()> &done_with_sizer = nullptr);

} // namespace pgo::health
