#include "catalog/uncovered_foreign_keys.hpp"

#include <algorithm>
#include <cstdint>

#include "catalog/catalog_scan.hpp"
#include "catalog/fk_predicate.hpp"
#include "core/fk_coverage.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_am.h"
#include "catalog/pg_index.h"
}

namespace pgo::catalog {
namespace {

// An index that may cover a foreign key of its table: valid and ready, with key columns. 16 bytes, its key columns in
// a pool shared by all. The access method is looked up only for an index whose columns match a key.
struct CandidateIndex {
  Oid table;
  Oid index;
  std::uint32_t first_key; // in the pool
  std::uint8_t key_count;
  bool partial;
};

core::AccessMethod access_method_of(const ClassCatalog &classes, Oid index) {
  const ClassRow *row = classes.find(index);
  if (row == nullptr)
    return core::AccessMethod::Other;
  if (row->access_method() == BTREE_AM_OID)
    return core::AccessMethod::Btree;
  if (row->access_method() == HASH_AM_OID)
    return core::AccessMethod::Hash;
  return core::AccessMethod::Other;
}

struct CandidateIndexes {
  const ClassCatalog &classes;
  std::vector<CandidateIndex> indexes; // sorted by table, each table's in scan order
  std::vector<core::AttrNumber> keys;

  static CandidateIndexes read(const ClassCatalog &classes) {
    CandidateIndexes c{classes, {}, {}};
    CatalogScan scan(IndexRelationId);
    // Sized once from the catalog's row count, so no half-used copies are left behind by growing.
    c.indexes.reserve(scan.estimated_rows() + 64);
    c.keys.reserve(2 * scan.estimated_rows() + 64);
    while (HeapTuple tuple = scan.next()) {
      const auto *index = reinterpret_cast<Form_pg_index>(GETSTRUCT(tuple));
      if (!index->indisvalid || !index->indisready || index->indnkeyatts <= 0)
        continue; // can never cover (core::fk_coverage)
      CandidateIndex candidate;
      candidate.table = index->indrelid;
      candidate.index = index->indexrelid;
      candidate.first_key = static_cast<std::uint32_t>(c.keys.size());
      candidate.key_count = static_cast<std::uint8_t>(index->indnkeyatts);
      // indpred is a nullable varlena column: testing for null reads only the tuple header, it cannot raise.
      candidate.partial = !heap_attisnull(tuple, Anum_pg_index_indpred, nullptr);
      c.keys.insert(c.keys.end(), index->indkey.values, index->indkey.values + index->indnkeyatts);
      c.indexes.push_back(candidate);
    }
    scan.close();
    std::stable_sort(c.indexes.begin(), c.indexes.end(),
                     [](const CandidateIndex &a, const CandidateIndex &b) { return a.table < b.table; });
    c.indexes.shrink_to_fit();
    c.keys.shrink_to_fit();
    return c;
  }

  bool covers(Oid table, const std::vector<core::AttrNumber> &columns) const {
    auto it = std::lower_bound(indexes.begin(), indexes.end(), table,
                               [](const CandidateIndex &i, Oid t) { return i.table < t; });
    for (; it != indexes.end() && it->table == table; ++it) {
      const core::AttrNumber *key = keys.data() + it->first_key;
      // Btree covers whatever any access method covers: only a match on the columns needs the real one.
      if (core::fk_coverage(core::AccessMethod::Btree, true, true, it->partial, key, it->key_count, columns) ==
          core::FkCoverage::None)
        continue;
      switch (core::fk_coverage(access_method_of(classes, it->index), true, true, it->partial, key, it->key_count,
                                columns)) {
      case core::FkCoverage::None:
        break;
      case core::FkCoverage::Covers:
        return true;
      case core::FkCoverage::CoversIfPredicateImplied:
        if (fk_lookup_implies_predicate(table, it->index, columns))
          return true;
        break;
      }
    }
    return false;
  }
};

} // namespace

std::deque<ForeignKey> read_uncovered_foreign_keys(const ClassCatalog &classes) {
  const CandidateIndexes candidates = CandidateIndexes::read(classes);
  std::deque<ForeignKey> fks;
  scan_user_foreign_keys(
      [&](Oid table, const std::vector<core::AttrNumber> &columns) { return !candidates.covers(table, columns); },
      [&](ForeignKey &&fk) { fks.push_back(std::move(fk)); });
  return fks;
}

} // namespace pgo::catalog
