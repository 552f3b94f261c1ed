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

// Biggest tables first. `indexes` must have been read with shapes for the foreign keys' tables.
std::vector<MissingFkIndex> missing_fk_indexes(const std::vector<catalog::ForeignKey> &fks,
                                               const catalog::ClassCatalog &classes,
                                               const catalog::IndexCatalog &indexes, catalog::RelationSizer &sizer);
// The same rows in the same order, each handed to `emit` as it is built and not kept.
void missing_fk_indexes(const std::vector<catalog::ForeignKey> &fks, const catalog::ClassCatalog &classes,
                        const catalog::IndexCatalog &indexes, catalog::RelationSizer &sizer,
                        const std::function<void(MissingFkIndex &&)> &emit);

// The same rows from foreign keys already known to be uncovered (catalog::read_uncovered_foreign_keys): what
// optimize.missing_fk_indexes() calls, with an IndexCatalog read without shapes behind `sizer`.
// `sizer` is used only until every size is measured; then `done_with_sizer` is called, and may free it.
void uncovered_fk_indexes(const std::deque<catalog::ForeignKey> &uncovered, const catalog::ClassCatalog &classes,
                          catalog::RelationSizer &sizer, const std::function<void(MissingFkIndex &&)> &emit,
                          const std::function<void()> &done_with_sizer = nullptr);

} // namespace pgo::health
