// optimize.missing_fk_indexes(): foreign keys whose referencing side has no index to serve PostgreSQL's lookups.
//
// Three catalog passes (pg_constraint, pg_class for index access methods, pg_index), the coverage rule from
// core/fk_coverage, and sizes and names only for the foreign keys found missing.
#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "catalog/foreign_keys.hpp"
#include "catalog/index_details.hpp"
#include "catalog/indexes.hpp"
#include "catalog/inheritance.hpp"
#include "catalog/names.hpp"
#include "catalog/relation_size.hpp"
#include "core/fk_coverage.hpp"
#include "core/index_ddl.hpp"
#include "health/fk_counts.hpp"
#include "health/fk_indexes.hpp"
#include "pg/barrier.hpp"
#include "pg/guard.hpp"
#include "pg/srf.hpp"

extern "C" {
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "utils/lsyscache.h"
}

namespace pgo::health {
namespace {

struct MissingIndex {
  const catalog::ForeignKey *fk;
  std::int64_t table_bytes;
  std::string schema;
  std::string table;
  std::vector<std::string> columns;
};

std::vector<Oid> direct_partitions(Oid table) {
  std::vector<Oid> result;
  List *children = pg::guard([&] { return find_inheritance_children(table, NoLock); });
  ListCell *cell;
  foreach (cell, children)
    result.push_back(lfirst_oid(cell));
  std::sort(result.begin(), result.end());
  return result;
}

// The indexes of partition trees, read only when a suggestion concerns a partitioned table.
struct TreeIndexes {
  catalog::Inheritance inheritance;
  std::unordered_map<Oid, std::vector<catalog::IndexDetails>> by_table;

  static TreeIndexes read(const catalog::ClassCatalog &classes) {
    TreeIndexes t{catalog::Inheritance::read(), {}};
    for (catalog::IndexDetails &d : catalog::read_index_details(classes, t.inheritance))
      t.by_table[d.table].push_back(std::move(d));
    return t;
  }
  const catalog::IndexDetails *find(Oid table, Oid index) const {
    const auto found = by_table.find(table);
    if (found == by_table.end())
      return nullptr;
    for (const catalog::IndexDetails &d : found->second)
      if (d.index == index)
        return &d;
    return nullptr;
  }
};

// An index our suggestion would have built: plain btree over exactly `columns` (in order), nothing else.
bool is_plain_btree_on(const catalog::IndexDetails &d, const std::vector<core::AttrNumber> &columns) {
  return d.access_method == BTREE_AM_OID && !d.unique && !d.partial() && d.expressions.empty() &&
         d.key_count == static_cast<int>(columns.size()) &&
         std::equal(d.columns.begin(), d.columns.end(), columns.begin(), columns.end());
}

// A partition's index that ATTACH PARTITION accepts under `parent`: the same definition, valid, attached to none.
bool attachable_under(const catalog::IndexDetails &d, const catalog::IndexDetails &parent) {
  return d.valid && !d.attached() && d.access_method == parent.access_method && d.unique == parent.unique &&
         d.key_count == parent.key_count && d.columns == parent.columns && d.opclasses == parent.opclasses &&
         d.collations == parent.collations && d.options == parent.options && d.expressions.empty() && !d.partial() &&
         parent.expressions.empty() && !parent.partial();
}

// Where the new index goes: the table itself, or for a partitioned table the whole tree below it. `existing` is an
// index of this table the statements reuse (an invalid partitioned index left by an interrupted run, or a
// partition's index attached to it or attachable): its name is kept, so the statements finish that tree (CREATE ...
// IF NOT EXISTS skips what is there, ATTACH of an attached index does nothing) instead of building a second one.
// Returns std::nullopt when some relation of the tree vanished meanwhile.
std::optional<core::IndexTarget> index_target(const catalog::ClassCatalog &classes, Oid table,
                                              const std::vector<std::string> &columns,
                                              const std::vector<core::AttrNumber> &attnums,
                                              std::set<std::pair<Oid, std::string>> &reserved, const TreeIndexes *tree,
                                              const catalog::IndexDetails *existing, std::vector<Oid> &completes) {
  const catalog::ClassRow *row = classes.find(table);
  if (row == nullptr)
    return std::nullopt; // a partition attached after the scan: leave the suggestion out rather than guess
  std::optional<std::string> schema = catalog::namespace_name(row->namespace_oid);
  if (!schema)
    return std::nullopt;
  core::IndexTarget target;
  target.schema = catalog::quote_identifier(*schema);
  target.table = catalog::quote_identifier(classes.name_of(*row));
  target.partitioned = row->relkind == RELKIND_PARTITIONED_TABLE;
  const catalog::ClassRow *existing_row = existing == nullptr ? nullptr : classes.find(existing->index);
  if (existing_row != nullptr) {
    target.index_name = catalog::quote_identifier(classes.name_of(*existing_row));
    reserved.emplace(row->namespace_oid, classes.name_of(*existing_row));
    completes.push_back(existing->index);
  } else {
    existing = nullptr;
    target.index_name = catalog::quote_identifier(
        catalog::choose_index_name(classes, classes.name_of(*row), columns, row->namespace_oid, reserved));
  }
  if (!target.partitioned)
    return target;
  for (Oid partition : direct_partitions(table)) {
    const catalog::IndexDetails *reuse = nullptr;
    if (existing != nullptr && tree != nullptr) {
      for (Oid child : tree->inheritance.children_of(existing->index))
        if (const catalog::IndexDetails *d = tree->find(partition, child))
          reuse = d;
      if (reuse == nullptr) {
        const auto found = tree->by_table.find(partition);
        if (found != tree->by_table.end())
          for (const catalog::IndexDetails &d : found->second)
            if (attachable_under(d, *existing)) {
              reuse = &d;
              break;
            }
      }
    }
    std::optional<core::IndexTarget> child =
        index_target(classes, partition, columns, attnums, reserved, tree, reuse, completes);
    if (!child)
      return std::nullopt;
    target.partitions.push_back(std::move(*child));
  }
  return target;
}

// The invalid partitioned index on `table` an earlier run of our suggestion left behind, if any.
const catalog::IndexDetails *interrupted_suggestion(const TreeIndexes &tree, Oid table,
                                                    const std::vector<core::AttrNumber> &columns) {
  const auto found = tree.by_table.find(table);
  if (found == tree.by_table.end())
    return nullptr;
  for (const catalog::IndexDetails &d : found->second)
    if (d.partitioned && !d.valid && !d.attached() && is_plain_btree_on(d, columns))
      return &d;
  return nullptr;
}

std::vector<MissingIndex> find_missing(const std::vector<catalog::ForeignKey> &fks,
                                       const catalog::ClassCatalog &classes, const catalog::IndexCatalog &indexes,
                                       catalog::RelationSizer &sizer) {
  std::unordered_map<Oid, std::optional<std::string>> schemas; // a handful of schemas, looked up once each
  std::unordered_map<Oid, std::optional<std::int64_t>> sizes;  // one measurement per table
  std::vector<MissingIndex> missing;
  for (const catalog::ForeignKey &fk : fks) {
    if (fk_is_covered(fk, indexes))
      continue;
    auto size = sizes.find(fk.table);
    if (size == sizes.end())
      size = sizes.emplace(fk.table, sizer.total_bytes(fk.table)).first;
    if (!size->second)
      continue; // dropped while we looked
    MissingIndex row{&fk, *size->second, {}, {}, {}};
    auto schema = schemas.find(fk.namespace_oid);
    if (schema == schemas.end())
      schema = schemas.emplace(fk.namespace_oid, catalog::namespace_name(fk.namespace_oid)).first;
    const catalog::ClassRow *table = classes.find(fk.table);
    if (!schema->second || table == nullptr)
      continue;
    row.schema = *schema->second;
    row.table = classes.name_of(*table);
    bool complete = true;
    for (core::AttrNumber attnum : fk.columns) {
      std::optional<std::string> column = catalog::attribute_name(fk.table, attnum);
      if (!column) {
        complete = false;
        break;
      }
      row.columns.push_back(std::move(*column));
    }
    if (complete)
      missing.push_back(std::move(row));
  }
  // Biggest tables first; names break ties so the order is stable.
  std::sort(missing.begin(), missing.end(), [](const MissingIndex &a, const MissingIndex &b) {
    return std::tie(b.table_bytes, a.schema, a.table, a.fk->name) <
           std::tie(a.table_bytes, b.schema, b.table, b.fk->name);
  });
  return missing;
}

} // namespace

namespace {

// The key under which foreign keys share one suggestion: the table and the set of columns.
std::pair<Oid, std::vector<core::AttrNumber>> suggestion_key(const catalog::ForeignKey &fk) {
  std::vector<core::AttrNumber> column_set = fk.columns;
  std::sort(column_set.begin(), column_set.end());
  return {fk.table, std::move(column_set)};
}

std::uint64_t hash_of(const std::pair<Oid, std::vector<core::AttrNumber>> &key) {
  std::uint64_t h = key.first;
  for (core::AttrNumber column : key.second)
    h = h * 0x100000001B3ULL ^ static_cast<std::uint16_t>(column);
  return h;
}

} // namespace

void missing_fk_indexes(const std::vector<catalog::ForeignKey> &fks, const catalog::ClassCatalog &classes,
                        const catalog::IndexCatalog &indexes, catalog::RelationSizer &sizer,
                        const std::function<void(MissingFkIndex &&)> &emit) {
  std::vector<MissingIndex> missing = find_missing(fks, classes, indexes, sizer);
  // Foreign keys of one table over the same column set get one suggestion, not two indexes. The statement is kept
  // only for keys whose hash comes up more than once (a collision just keeps one more), not for every row.
  std::vector<std::uint64_t> repeated;
  {
    std::vector<std::uint64_t> hashes;
    hashes.reserve(missing.size());
    for (const MissingIndex &row : missing)
      hashes.push_back(hash_of(suggestion_key(*row.fk)));
    std::sort(hashes.begin(), hashes.end());
    for (std::size_t i = 1; i < hashes.size(); i++)
      if (hashes[i] == hashes[i - 1] && (repeated.empty() || repeated.back() != hashes[i]))
        repeated.push_back(hashes[i]);
  }
  std::set<std::pair<Oid, std::string>> reserved_names;
  std::map<std::pair<Oid, std::vector<core::AttrNumber>>, std::string> suggested;
  std::optional<TreeIndexes> tree;
  for (MissingIndex &row : missing) {
    std::pair<Oid, std::vector<core::AttrNumber>> key = suggestion_key(*row.fk);
    const bool shared = std::binary_search(repeated.begin(), repeated.end(), hash_of(key));
    auto statement = shared ? suggested.find(key) : suggested.end();
    std::vector<Oid> completes;
    std::string text;
    if (statement != suggested.end()) {
      text = statement->second;
    } else {
      const catalog::ClassRow *table = classes.find(row.fk->table);
      const bool partitioned = table != nullptr && table->relkind == RELKIND_PARTITIONED_TABLE;
      if (partitioned && !tree)
        tree.emplace(TreeIndexes::read(classes));
      const catalog::IndexDetails *existing =
          partitioned ? interrupted_suggestion(*tree, row.fk->table, row.fk->columns) : nullptr;
      std::optional<core::IndexTarget> target =
          index_target(classes, row.fk->table, row.columns, row.fk->columns, reserved_names,
                       partitioned ? &*tree : nullptr, existing, completes);
      if (!target)
        continue;
      std::vector<std::string> quoted;
      for (const std::string &column : row.columns)
        quoted.push_back(catalog::quote_identifier(column));
      text = core::create_index_statements(*target, quoted);
      if (shared)
        suggested.emplace(std::move(key), text);
    }
    emit(MissingFkIndex{row.fk, row.table_bytes, std::move(row.columns), std::move(text), std::move(completes)});
  }
}

std::vector<MissingFkIndex> missing_fk_indexes(const std::vector<catalog::ForeignKey> &fks,
                                               const catalog::ClassCatalog &classes,
                                               const catalog::IndexCatalog &indexes, catalog::RelationSizer &sizer) {
  std::vector<MissingFkIndex> result;
  missing_fk_indexes(fks, classes, indexes, sizer, [&](MissingFkIndex &&row) { result.push_back(std::move(row)); });
  return result;
}

} // namespace pgo::health

PGO_FUNCTION(pgo_missing_fk_indexes) {
  using namespace pgo;
  const std::vector<catalog::ForeignKey> fks = catalog::read_user_foreign_keys();
  const catalog::ClassCatalog classes = catalog::ClassCatalog::read();
  const catalog::IndexCatalog indexes = catalog::IndexCatalog::read(classes, catalog::tables_of(fks));
  catalog::RelationSizer sizer(classes, indexes);

  // Each row goes into the tuplestore as soon as it is built.
  pg::ResultSet out(fcinfo);
  health::missing_fk_indexes(fks, classes, indexes, sizer, [&](health::MissingFkIndex &&row) {
    out.begin_row();
    out.add_oid(row.fk->table);
    out.add_name(row.fk->name);
    out.add_name_array(row.columns);
    out.add_oid(row.fk->referenced_table);
    out.add_int64(row.table_bytes);
    out.add_text(row.suggested_index);
    out.end_row();
  });
  return out.done();
}
