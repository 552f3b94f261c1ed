#include "advisor/replacement.hpp"

#include <algorithm>

#include "pg/guard.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/pg_am.h"
#include "catalog/pg_index.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
}

namespace pgo::advisor {
namespace {

// One index as plain values, built while the relation is open.
struct IndexC {
  Oid oid;
  Oid am;
  int nkeys, ncolumns;
  int columns[INDEX_MAX_KEYS];
  core::KeyColumn keys[INDEX_MAX_KEYS];
  bool valid, partial, unique, primary, exclusion, replica_identity, constraint_backed, attached;
  double key_width;
};

double column_width(Oid relid, AttrNumber attnum) {
  const int32 width = get_attavgwidth(relid, attnum);
  if (width > 0)
    return width;
  Oid type, collation;
  int32 typmod;
  get_atttypetypmodcoll(relid, attnum, &type, &typmod, &collation);
  return get_typavgwidth(type, typmod);
}

IndexC read_index(Relation index, Oid relid) {
  IndexC c{};
  Form_pg_index form = index->rd_index;
  c.oid = RelationGetRelid(index);
  c.am = index->rd_rel->relam;
  c.nkeys = std::min<int>(form->indnkeyatts, INDEX_MAX_KEYS);
  c.ncolumns = std::min<int>(form->indnatts, INDEX_MAX_KEYS);
  for (int i = 0; i < c.ncolumns; i++)
    c.columns[i] = form->indkey.values[i];
  for (int i = 0; i < c.nkeys; i++) {
    core::KeyColumn &k = c.keys[i];
    k.column = c.columns[i];
    k.opfamily = index->rd_opfamily[i];
    k.input_type = index->rd_opcintype[i];
    k.collation = index->rd_indcollation[i];
    const int16 option = index->rd_indoption != nullptr ? index->rd_indoption[i] : 0;
    k.descending = (option & INDOPTION_DESC) != 0;
    k.nulls_first = (option & INDOPTION_NULLS_FIRST) != 0;
    if (k.column != 0)
      c.key_width += column_width(relid, static_cast<AttrNumber>(k.column));
  }
  c.valid = form->indisvalid;
  c.partial = !heap_attisnull(index->rd_indextuple, Anum_pg_index_indpred, nullptr);
  c.unique = form->indisunique;
  c.primary = form->indisprimary;
  c.exclusion = form->indisexclusion;
  c.replica_identity = form->indisreplident;
  // Its own constraint (pg_depend), or a foreign key referencing it, which needs a unique index (counted above).
  c.constraint_backed = OidIsValid(get_index_constraint(c.oid));
  c.attached = index->rd_rel->relispartition;
  return c;
}

} // namespace

std::vector<ExistingIndex> indexes_of(Oid relid) {
  List *found = pg::guard([&] {
    List *out = NIL;
    Relation table = table_open(relid, AccessShareLock);
    List *indexes = RelationGetIndexList(table);
    ListCell *lc;
    foreach (lc, indexes) {
      Relation index = index_open(lfirst_oid(lc), AccessShareLock);
      IndexC *c = static_cast<IndexC *>(palloc(sizeof(IndexC)));
      *c = read_index(index, relid);
      out = lappend(out, c);
      index_close(index, AccessShareLock);
    }
    table_close(table, AccessShareLock);
    return out;
  });
  std::vector<ExistingIndex> out;
  ListCell *lc;
  foreach (lc, found) {
    const IndexC *c = static_cast<const IndexC *>(lfirst(lc));
    ExistingIndex e;
    e.oid = c->oid;
    e.key_width = c->key_width;
    core::ReplaceableIndex &f = e.facts;
    f.access_method = c->am == BTREE_AM_OID ? "btree" : "other";
    f.keys.assign(c->keys, c->keys + c->nkeys);
    f.include_columns.assign(c->columns + c->nkeys, c->columns + c->ncolumns);
    f.valid = c->valid;
    f.partial = c->partial;
    f.unique = c->unique;
    f.primary = c->primary;
    f.exclusion = c->exclusion;
    f.replica_identity = c->replica_identity;
    f.constraint_backed = c->constraint_backed;
    f.attached = c->attached;
    out.push_back(std::move(e));
  }
  return out;
}

core::ReplaceableIndex facts_of(const HypoIndex *h) {
  core::ReplaceableIndex f;
  f.access_method = h->amoid == BTREE_AM_OID ? "btree" : "other";
  for (int i = 0; i < h->nkeycolumns; i++) {
    core::KeyColumn k;
    k.column = h->keys[i];
    k.opfamily = h->opfamilies[i];
    k.input_type = h->opcintypes[i];
    k.collation = h->collations[i];
    k.descending = h->descending[i];
    k.nulls_first = h->nulls_first[i];
    f.keys.push_back(k);
  }
  for (int i = h->nkeycolumns; i < h->ncolumns; i++)
    f.include_columns.push_back(h->keys[i]);
  f.partial = h->predicate != NIL;
  f.unique = h->unique;
  return f;
}

} // namespace pgo::advisor
