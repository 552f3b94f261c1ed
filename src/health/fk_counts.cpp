#include "health/fk_counts.hpp"

#include "catalog/fk_predicate.hpp"
#include "core/fk_coverage.hpp"

namespace pgo::health {

bool fk_is_covered(const catalog::ForeignKey &fk, const catalog::IndexCatalog &indexes) {
  return core::any_index_covers(indexes.shapes_of(fk.table), fk.columns,
                                catalog::fk_predicate_proof(fk.table, fk.columns));
}

std::size_t missing_fk_index_count(const std::vector<catalog::ForeignKey> &fks, const catalog::ClassCatalog &classes,
                                   const catalog::IndexCatalog &indexes) {
  std::size_t missing = 0;
  for (const catalog::ForeignKey &fk : fks)
    if (classes.find(fk.table) != nullptr && !fk_is_covered(fk, indexes))
      missing++;
  return missing;
}

} // namespace pgo::health
