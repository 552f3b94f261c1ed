#include "core/fk_coverage.hpp"

#include <algorithm>

namespace pgo::core {

namespace {

// Whether the first k values at `keys` are the k values of `wanted` as a set. Both sides are tiny (a key has at most
// 32 columns in PostgreSQL), so sorted copies on the stack beat any cleverer structure.
bool same_set(const AttrNumber *keys, const std::vector<AttrNumber> &wanted) {
  constexpr std::size_t kInline = 32;
  const std::size_t k = wanted.size();
  if (k > kInline) {
    std::vector<AttrNumber> a(keys, keys + k), b(wanted);
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    return a == b;
  }
  if (k == 1)
    return keys[0] == wanted[0];
  AttrNumber a[kInline], b[kInline];
  std::copy(keys, keys + k, a);
  std::copy(wanted.begin(), wanted.end(), b);
  std::sort(a, a + k);
  std::sort(b, b + k);
  return std::equal(a, a + k, b);
}

} // namespace

FkCoverage fk_coverage(AccessMethod am, bool valid, bool ready, bool partial, const AttrNumber *keys,
                       std::size_t key_count, const std::vector<AttrNumber> &fk_columns) {
  const std::size_t k = fk_columns.size();
  if (k == 0 || !valid || !ready)
    return FkCoverage::None;
  switch (am) {
  case AccessMethod::Btree:
    break;
  case AccessMethod::Hash:
    if (k != 1)
      return FkCoverage::None;
    break;
  case AccessMethod::Other:
    return FkCoverage::None;
  }
  // The leading k key columns must be the foreign key's columns as a set.
  if (key_count < k || !same_set(keys, fk_columns))
    return FkCoverage::None;
  return partial ? FkCoverage::CoversIfPredicateImplied : FkCoverage::Covers;
}

FkCoverage fk_coverage(const IndexShape &index, const std::vector<AttrNumber> &fk_columns) {
  return fk_coverage(index.am, index.valid, index.ready, index.partial, index.key_columns.data(),
                     index.key_columns.size(), fk_columns);
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
