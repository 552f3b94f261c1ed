#include "core/fk_coverage.hpp"

#include <algorithm>

namespace pgo::core {

FkCoverage fk_coverage(const IndexShape &index, const std::vector<AttrNumber> &fk_columns) {
  const std::size_t k = fk_columns.size();
  if (k == 0 || !index.valid || !index.ready)
    return FkCoverage::None;
  switch (index.am) {
  case AccessMethod::Btree:
    break;
  case AccessMethod::Hash:
    if (k != 1)
      return FkCoverage::None;
    break;
  case AccessMethod::Other:
    return FkCoverage::None;
  }
  if (index.key_columns.size() < k)
    return FkCoverage::None;

  // The leading k key columns must be the foreign key's columns as a set. Both sides are tiny (at most 32
  // columns), so sorting copies beats any cleverer structure.
  std::vector<AttrNumber> leading(index.key_columns.begin(), index.key_columns.begin() + static_cast<long>(k));
  std::vector<AttrNumber> wanted(fk_columns);
  std::sort(leading.begin(), leading.end());
  std::sort(wanted.begin(), wanted.end());
  if (leading != wanted)
    return FkCoverage::None;
  return index.partial ? FkCoverage::CoversIfPredicateImplied : FkCoverage::Covers;
}

bool index_covers_foreign_key(const IndexShape &index, const std::vector<AttrNumber> &fk_columns,
                              const PredicateProof &implied) {
  switch (fk_coverage(index, fk_columns)) {
  case FkCoverage::None:
    return false;
  case FkCoverage::Covers:
    return true;
  case FkCoverage::CoversIfPredicateImplied:
    return implied != nullptr && implied(index);
  }
  return false;
}

bool any_index_covers(const std::vector<IndexShape> &indexes, const std::vector<AttrNumber> &fk_columns,
                      const PredicateProof &implied) {
  return std::any_of(indexes.begin(), indexes.end(),
                     [&](const IndexShape &index) { return index_covers_foreign_key(index, fk_columns, implied); });
}

} // namespace pgo::core
