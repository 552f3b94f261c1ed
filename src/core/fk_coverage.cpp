#include "core/fk_coverage.hpp"

#include <algorithm>

namespace pgo::core {

bool index_covers_foreign_key(const IndexShape &index, const std::vector<AttrNumber> &fk_columns) {
  const std::size_t k = fk_columns.size();
  if (k == 0 || !index.valid || !index.ready || index.partial)
    return false;
  switch (index.am) {
  case AccessMethod::Btree:
    break;
  case AccessMethod::Hash:
    if (k != 1)
      return false;
    break;
  case AccessMethod::Other:
    return false;
  }
  if (index.key_columns.size() < k)
    return false;

  // The leading k key columns must be the foreign key's columns as a set. Both sides are tiny (at most 32
  // columns), so sorting copies beats any cleverer structure.
  std::vector<AttrNumber> leading(index.key_columns.begin(), index.key_columns.begin() + static_cast<long>(k));
  std::vector<AttrNumber> wanted(fk_columns);
  std::sort(leading.begin(), leading.end());
  std::sort(wanted.begin(), wanted.end());
  return leading == wanted;
}

bool any_index_covers(const std::vector<IndexShape> &indexes, const std::vector<AttrNumber> &fk_columns) {
  return std::any_of(indexes.begin(), indexes.end(),
                     [&](const IndexShape &index) { return index_covers_foreign_key(index, fk_columns); });
}

} // namespace pgo::core
