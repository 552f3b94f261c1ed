// optimize.missing_fk_indexes(): foreign keys whose referencing side has no index to serve PostgreSQL's lookups.
//
// Catalog passes over pg_class, pg_index (the indexes that can cover a foreign key, then every index's table for the
// sizes) and pg_constraint (keeping the uncovered keys only), the coverage rule from core/fk_coverage, and sizes,
// column names and free index names only for the foreign keys found missing.
#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
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
#include "catalog/uncovered_foreign_keys.hpp"
#include "core/fk_coverage.hpp"
#include "core/index_ddl.hpp"
#include "health/fk_indexes.hpp"
#include "pg/barrier.hpp"
#include "pg/guard.hpp"
#include "pg/srf.hpp"
#include "settings.hpp"

extern "C" {
#include "catalog/pg_am.h"
#include "catalog/pg_attribute.h"
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
  const std::string *schema;      // in SchemaNames
  const catalog::ClassRow *table; // in the ClassCatalog
  const char *table_name;         // in the ClassCatalog
  std::size_t first_column;       // where its column names start in the list of every row's
};

// Schema names, looked up once each (a catalog has a handful), and their quoted forms.
class SchemaNames {
public:
  // nullptr when the schema is gone.
  const std::string *name(Oid namespace_oid) {
    return entry(namespace_oid).name ? &*entry(namespace_oid).name : nullptr;
  }
  const std::string &quoted(Oid namespace_oid) { return entry(namespace_oid).quoted; }

private:
  struct Entry {
    std::optional<std::string> name;
    std::string quoted;
  };
  Entry &entry(Oid namespace_oid) {
    auto found = names_.find(namespace_oid);
    if (found == names_.end()) {
      Entry e{catalog::namespace_name(namespace_oid), {}};
      if (e.name)
        e.quoted = catalog::quote_identifier(*e.name);
      found = names_.emplace(namespace_oid, std::move(e)).first;
    }
    return found->second;
  }
  std::unordered_map<Oid, Entry> names_;
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
                                              const catalog::ClassRow *row, const std::vector<std::string> &columns,
                                              const std::vector<core::AttrNumber> &attnums, SchemaNames &schemas,
                                              catalog::IndexNames &names, const TreeIndexes *tree,
                                              const catalog::IndexDetails *existing, std::vector<Oid> &completes) {
  if (row == nullptr)
    return std::nullopt; // a partition attached after the scan: leave the suggestion out rather than guess
  if (schemas.name(row->namespace_oid) == nullptr)
    return std::nullopt;
  core::IndexTarget target;
  target.schema = schemas.quoted(row->namespace_oid);
  target.table = catalog::quote_identifier(classes.name_of(*row));
  target.partitioned = row->relkind == RELKIND_PARTITIONED_TABLE;
  const catalog::ClassRow *existing_row = existing == nullptr ? nullptr : classes.find(existing->index);
  if (existing_row != nullptr) {
    target.index_name = catalog::quote_identifier(classes.name_of(*existing_row));
    names.reserve(row->namespace_oid, classes.name_of(*existing_row));
    completes.push_back(existing->index);
  } else {
    existing = nullptr;
    target.index_name = catalog::quote_identifier(names.choose(classes.name_of(*row), columns, row->namespace_oid));
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
    std::optional<core::IndexTarget> child = index_target(classes, partition, classes.find(partition), columns, attnums,
                                                          schemas, names, tree, reuse, completes);
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

// The rows of the uncovered foreign keys `fks`, with their tables' sizes and
// their columns' names (`column_names`, from each row's first_column on), biggest tables first. Sizes are measured
// once per table and names read in one pass, both in table OID order.
std::vector<MissingIndex> find_missing(const std::deque<catalog::ForeignKey> &fks, const catalog::ClassCatalog &classes,
                                       catalog::RelationSizer &sizer, SchemaNames &schemas,
                                       std::optional<catalog::ColumnNames> &column_names) {
  std::vector<MissingIndex> missing;
  missing.reserve(fks.size()); // each is a row, but for a table or schema dropped meanwhile
  for (const catalog::ForeignKey &fk : fks) {
    const catalog::ClassRow *table = classes.find(fk.table);
    const std::string *schema = schemas.name(fk.namespace_oid);
    if (table == nullptr || schema == nullptr)
      continue;
    missing.push_back(MissingIndex{&fk, 0, schema, table, classes.name_of(*table), 0});
  }
  std::stable_sort(missing.begin(), missing.end(),
                   [](const MissingIndex &a, const MissingIndex &b) { return a.fk->table < b.fk->table; });

  // Sizes, one measurement per table, the files measured ahead on threads of their own while pg_attribute is read.
  {
    std::vector<Oid> tables;
    for (std::size_t i = 0; i < missing.size(); i++)
      if (i == 0 || missing[i].fk->table != missing[i - 1].fk->table)
        tables.push_back(missing[i].fk->table);
    sizer.measure_ahead(tables, catalog::RelationSizer::Ahead::Tables, settings::measure_thread_count(),
                        catalog::RelationSizer::Start::InBackground);
  }
  // Column names, all in one pass.
  {
    std::vector<std::pair<Oid, core::AttrNumber>> wanted;
    for (MissingIndex &row : missing) {
      row.first_column = wanted.size();
      for (core::AttrNumber attnum : row.fk->columns)
        wanted.emplace_back(row.fk->table, attnum);
    }
    const catalog::ClassRow *pg_attribute = classes.find(AttributeRelationId);
    column_names.emplace(catalog::ColumnNames::read(wanted, pg_attribute != nullptr ? pg_attribute->tuples : 0));
  }
  std::size_t kept = 0;
  std::optional<std::int64_t> size;
  for (std::size_t i = 0; i < missing.size(); i++) {
    if (i == 0 || missing[i].fk->table != missing[i - 1].fk->table)
      size = sizer.total_bytes(missing[i].fk->table);
    if (!size)
      continue; // dropped while we looked
    missing[i].table_bytes = *size;
    missing[kept++] = missing[i];
  }
  missing.resize(kept);

  // A row whose column is gone (dropped while we looked) is left out.
  kept = 0;
  for (std::size_t r = 0; r < missing.size(); r++) {
    bool complete = true;
    for (std::size_t i = 0; i < missing[r].fk->columns.size(); i++)
      complete = complete && column_names->name(missing[r].first_column + i) != nullptr;
    if (complete)
      missing[kept++] = missing[r];
  }
  missing.resize(kept);

  // Biggest tables first; names break ties so the order is stable.
  std::sort(missing.begin(), missing.end(), [](const MissingIndex &a, const MissingIndex &b) {
    if (a.table_bytes != b.table_bytes)
      return a.table_bytes > b.table_bytes;
    if (const int c = a.schema->compare(*b.schema))
      return c < 0;
    if (const int c = std::strcmp(a.table_name, b.table_name))
      return c < 0;
    return a.fk->name < b.fk->name;
  });
  return missing;
}

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

void uncovered_fk_indexes(const std::deque<catalog::ForeignKey> &uncovered, const catalog::ClassCatalog &classes,
                          catalog::RelationSizer &sizer, const std::function<void(MissingFkIndex &&)> &emit,
                          const std::function<void()> &done_with_sizer) {
  SchemaNames schemas;
  std::optional<catalog::ColumnNames> column_names;
  std::vector<MissingIndex> missing = find_missing(uncovered, classes, sizer, schemas, column_names);
  if (done_with_sizer != nullptr)
    done_with_sizer();
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
  catalog::IndexNames names(classes);
  std::map<std::pair<Oid, std::vector<core::AttrNumber>>, std::string> suggested;
  std::optional<TreeIndexes> tree;
  std::vector<std::string> columns;
  std::vector<std::string> quoted;
  for (MissingIndex &row : missing) {
    columns.clear();
    for (std::size_t i = 0; i < row.fk->columns.size(); i++)
      columns.push_back(*column_names->name(row.first_column + i));
    std::pair<Oid, std::vector<core::AttrNumber>> key = suggestion_key(*row.fk);
    const bool shared = !repeated.empty() && std::binary_search(repeated.begin(), repeated.end(), hash_of(key));
    auto statement = shared ? suggested.find(key) : suggested.end();
    std::vector<Oid> completes;
    std::string text;
    if (statement != suggested.end()) {
      text = statement->second;
    } else {
      const bool partitioned = row.table->relkind == RELKIND_PARTITIONED_TABLE;
      if (partitioned && !tree)
        tree.emplace(TreeIndexes::read(classes));
      const catalog::IndexDetails *existing =
          partitioned ? interrupted_suggestion(*tree, row.fk->table, row.fk->columns) : nullptr;
      std::optional<core::IndexTarget> target =
          index_target(classes, row.fk->table, row.table, columns, row.fk->columns, schemas, names,
                       partitioned ? &*tree : nullptr, existing, completes);
      if (!target)
        continue;
      quoted.clear();
      for (const std::string &column : columns)
        quoted.push_back(catalog::quote_identifier(column));
      text = core::create_index_statements(*target, quoted);
      if (shared)
        suggested.emplace(std::move(key), text);
    }
    emit(MissingFkIndex{row.fk, row.table_bytes, std::move(columns), std::move(text), std::move(completes)});
  }
}

} // namespace pgo::health

PGO_FUNCTION(pgo_missing_fk_indexes) {
  using namespace pgo;
  // The referencing tables are sized: the database's directories are read on their own thread while the catalogs are.
  auto listing = catalog::DatabaseFiles::start_in_background(settings::measure_thread_count());
  const catalog::ClassCatalog classes = catalog::ClassCatalog::read();
  // Only the uncovered keys are kept, and index shapes only while they are judged; the index lists that sizes need
  // are read without shapes.
  const std::deque<catalog::ForeignKey> fks = catalog::read_uncovered_foreign_keys(classes);
  // The index lists and the sizer's listing of the database's files (about 15 MB at 100,000 tables) go once every
  // size is measured, before the statements and the result rows take their own memory.
  struct Sizing {
    catalog::IndexCatalog indexes;
    catalog::RelationSizer sizer;
    Sizing(const catalog::ClassCatalog &classes, std::unique_ptr<catalog::DatabaseFiles> listing)
        : indexes(catalog::IndexCatalog::read()), sizer(classes, indexes) {
      sizer.use_listing(std::move(listing));
    }
  };
  std::optional<Sizing> sizing;
  sizing.emplace(classes, std::move(listing));

  // Each row goes into the tuplestore as soon as it is built.
  pg::ResultSet out(fcinfo);
  health::uncovered_fk_indexes(
      fks, classes, sizing->sizer,
      [&](health::MissingFkIndex &&row) {
        out.begin_row();
        out.add_oid(row.fk->table);
        out.add_name(row.fk->name);
        out.add_name_array(row.columns);
        out.add_oid(row.fk->referenced_table);
        out.add_int64(row.table_bytes);
        out.add_text(row.suggested_index);
        out.end_row();
      },
      [&] { sizing.reset(); });
  return out.done();
}
