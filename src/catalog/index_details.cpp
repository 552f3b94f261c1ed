#include "catalog/index_details.hpp"

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "catalog/catalog_scan.hpp"
#include "core/chunked_array.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace pgo::catalog {
namespace {

constexpr int kMax = INDEX_MAX_KEYS;

// The variable-length columns of one pg_index tuple, copied into plain arrays.
struct RawVarlena {
  int nclass, ncoll, nopt;
  Oid opclass[kMax];
  Oid collation[kMax];
  int16 option[kMax];
  char *expressions; // palloc'd or nullptr
  char *predicate;
};

// Every attribute of the tuple is deformed once: fetching the varlena columns one by one walks the tuple from its
// first variable-length column again for each (nocachegetattr).
RawVarlena read_varlena(HeapTuple tuple, TupleDesc descriptor) {
  return pg::guard([&]() -> RawVarlena {
    RawVarlena r{};
    Datum values[Natts_pg_index];
    bool nulls[Natts_pg_index];
    heap_deform_tuple(tuple, descriptor, values, nulls);
    auto attribute = [&](int number, bool &isnull) {
      isnull = nulls[number - 1];
      return values[number - 1];
    };
    bool isnull = false;
    Datum d = attribute(Anum_pg_index_indclass, isnull);
    if (!isnull) {
      const oidvector *v = reinterpret_cast<const oidvector *>(DatumGetPointer(d));
      r.nclass = v->dim1 < kMax ? v->dim1 : kMax;
      for (int i = 0; i < r.nclass; i++)
        r.opclass[i] = v->values[i];
    }
    d = attribute(Anum_pg_index_indcollation, isnull);
    if (!isnull) {
      const oidvector *v = reinterpret_cast<const oidvector *>(DatumGetPointer(d));
      r.ncoll = v->dim1 < kMax ? v->dim1 : kMax;
      for (int i = 0; i < r.ncoll; i++)
        r.collation[i] = v->values[i];
    }
    d = attribute(Anum_pg_index_indoption, isnull);
    if (!isnull) {
      const int2vector *v = reinterpret_cast<const int2vector *>(DatumGetPointer(d));
      r.nopt = v->dim1 < kMax ? v->dim1 : kMax;
      for (int i = 0; i < r.nopt; i++)
        r.option[i] = v->values[i];
    }
    d = attribute(Anum_pg_index_indexprs, isnull);
    if (!isnull)
      r.expressions = TextDatumGetCString(d);
    d = attribute(Anum_pg_index_indpred, isnull);
    if (!isnull)
      r.predicate = TextDatumGetCString(d);
    return r;
  });
}

// A stored expression tree, without the ":location N" fields that record where in the CREATE INDEX statement each
// node was typed (PostgreSQL 15 and 16 store them): two identical definitions must compare equal.
std::string take_node_tree(char *text) {
  if (text == nullptr)
    return {};
  std::string tree(text);
  pfree(text);
  static constexpr const char kLocation[] = " :location ";
  std::string result;
  result.reserve(tree.size());
  std::size_t i = 0;
  while (i < tree.size()) {
    if (tree.compare(i, sizeof kLocation - 1, kLocation) == 0) {
      i += sizeof kLocation - 1;
      if (i < tree.size() && tree[i] == '-')
        i++;
      while (i < tree.size() && tree[i] >= '0' && tree[i] <= '9')
        i++;
      continue;
    }
    result += tree[i++];
  }
  return result;
}

} // namespace

namespace {

// The constraints that depend on indexes (conindid), one per index: its own constraint when it has one, else the
// oldest foreign key referencing it. 12 bytes a constraint, sorted by index. Only the names that are shown are kept:
// those of constraints other than primary keys (whose reason reads "primary key") and foreign keys (whose name is
// looked up for the few indexes only foreign keys depend on). On a catalog of 100,000 tables with a primary key and a
// foreign key each, a map of names took 7 MB.
class IndexConstraints {
public:
  static IndexConstraints read() {
    IndexConstraints result;
    core::ChunkedArray<Entry> found; // in the scan's order, before any is dropped
    CatalogScan scan(ConstraintRelationId);
    while (HeapTuple tuple = scan.next()) {
      const auto *con = reinterpret_cast<Form_pg_constraint>(GETSTRUCT(tuple));
      if (!OidIsValid(con->conindid))
        continue;
      Entry e{con->conindid, 0, con->contype};
      if (con->contype == CONSTRAINT_FOREIGN) {
        e.detail = con->oid;
      } else if (con->contype != CONSTRAINT_PRIMARY) {
        e.detail = static_cast<std::uint32_t>(result.names_.size());
        result.names_.append(NameStr(con->conname));
        result.names_.push_back('\0');
      }
      found.push_back(e);
    }
    scan.close();
    // Each index's own constraint first, then the foreign keys, the oldest (lowest OID) first; sorted where they
    // were gathered, and only the first of each index copied.
    auto own_first = [](const Entry &e) {
      return std::make_tuple(e.index, e.type == CONSTRAINT_FOREIGN, e.type == CONSTRAINT_FOREIGN ? e.detail : 0);
    };
    std::sort(found.begin(), found.end(), [&](const Entry &a, const Entry &b) { return own_first(a) < own_first(b); });
    std::size_t indexes = 0;
    for (std::size_t i = 0; i < found.size(); i++)
      indexes += i == 0 || found[i].index != found[i - 1].index;
    result.entries_.reserve(indexes);
    for (std::size_t i = 0; i < found.size(); i++)
      if (i == 0 || found[i].index != found[i - 1].index)
        result.entries_.push_back(found[i]);
    return result;
  }

  // The constraint depending on `index` into `d` (nothing when none).
  void describe(Oid index, IndexDetails &d) const {
    const auto found =
        std::lower_bound(entries_.begin(), entries_.end(), index, [](const Entry &e, Oid i) { return e.index < i; });
    if (found == entries_.end() || found->index != index)
      return;
    d.constraint_type = found->type;
    if (found->type == CONSTRAINT_FOREIGN)
      d.constraint_name = foreign_key_name(found->detail);
    else if (found->type != CONSTRAINT_PRIMARY)
      d.constraint_name = names_.c_str() + found->detail;
  }

private:
  struct Entry {
    Oid index;
    std::uint32_t detail; // a foreign key's OID; where the name is in names_ for the other types but a primary key
    char type;            // contype
  };

  static std::string foreign_key_name(Oid constraint) {
    char *found = pg::guard([&] { return get_constraint_name(constraint); });
    if (found == nullptr) // dropped since the scan: named by its OID
      return "constraint " + std::to_string(constraint);
    std::string name(found);
    pfree(found);
    return name;
  }

  std::vector<Entry> entries_;
  std::string names_; // one after the other, each ended by a NUL
};

} // namespace

std::size_t reported_index_count(const ClassCatalog &classes) {
  std::size_t count = 0;
  for (const auto &[oid, row] : classes.rows())
    if ((row.relkind == RELKIND_INDEX || row.relkind == RELKIND_PARTITIONED_INDEX) && !row.excluded)
      count++;
  return count;
}

std::vector<IndexDetails> read_index_details(const ClassCatalog &classes, const Inheritance &inheritance) {
  std::vector<IndexDetails> result;
  // Reserved for exactly the indexes expected, which spares the vector's growing (an old and a new copy at once) on
  // hundreds of thousands of indexes.
  result.reserve(reported_index_count(classes));
  read_index_details(classes, inheritance, [&](IndexDetails &&d) { result.push_back(std::move(d)); });
  return result;
}

namespace {

// The details of the index of one pg_index tuple, handed to `take`; nothing for an index outside the reported
// schemas or missing from the ClassCatalog.
void take_details(HeapTuple tuple, TupleDesc descriptor, const ClassCatalog &classes, const Inheritance &inheritance,
                  const IndexConstraints &constraints, const std::function<void(IndexDetails &&)> &take) {
  const auto *index = reinterpret_cast<Form_pg_index>(GETSTRUCT(tuple));
  const ClassRow *table = classes.find(index->indrelid);
  const ClassRow *index_class = classes.find(index->indexrelid);
  if (table == nullptr || index_class == nullptr || table->excluded)
    return;
  IndexDetails d;
  d.index = index->indexrelid;
  d.table = index->indrelid;
  d.access_method = index_class->access_method();
  d.key_count = index->indnkeyatts;
  d.columns.assign(index->indkey.values, index->indkey.values + index->indnatts);
  d.unique = index->indisunique;
  d.primary = index->indisprimary;
  d.exclusion = index->indisexclusion;
  d.replica_identity = index->indisreplident;
  d.nulls_not_distinct = index->indnullsnotdistinct;
  d.immediate = index->indimmediate;
  d.partitioned = index_class->relkind == RELKIND_PARTITIONED_INDEX;
  d.parent_index = inheritance.parent_of(d.index);
  constraints.describe(d.index, d);
  d.valid = index->indisvalid;
  d.ready = index->indisready;
  d.live = index->indislive;
  const RawVarlena raw = read_varlena(tuple, descriptor);
  d.opclasses.assign(raw.opclass, raw.opclass + raw.nclass);
  d.collations.assign(raw.collation, raw.collation + raw.ncoll);
  d.options.assign(raw.option, raw.option + raw.nopt);
  d.expressions = take_node_tree(raw.expressions);
  d.predicate = take_node_tree(raw.predicate);
  take(std::move(d));
}

} // namespace

void read_index_details(const ClassCatalog &classes, const Inheritance &inheritance,
                        const std::function<void(IndexDetails &&)> &take) {
  const IndexConstraints constraints = IndexConstraints::read();
  CatalogScan scan(IndexRelationId);
  while (HeapTuple tuple = scan.next())
    take_details(tuple, scan.descriptor(), classes, inheritance, constraints, take);
  scan.close();
}

std::vector<IndexDetails> read_index_details(const ClassCatalog &classes) {
  return read_index_details(classes, Inheritance::read());
}

std::vector<Oid> invalid_indexes(const ClassCatalog &classes) {
  std::vector<Oid> result;
  CatalogScan scan(IndexRelationId);
  while (HeapTuple tuple = scan.next()) {
    const auto *index = reinterpret_cast<Form_pg_index>(GETSTRUCT(tuple));
    if (index->indisvalid)
      continue;
    const ClassRow *table = classes.find(index->indrelid);
    if (table != nullptr && !table->excluded)
      result.push_back(index->indexrelid);
  }
  scan.close();
  return result;
}

} // namespace pgo::catalog
