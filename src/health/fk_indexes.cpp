// optimize.missing_fk_indexes(): foreign keys whose referencing side has no index to serve PostgreSQL's lookups.
//
// Three catalog passes (pg_constraint, pg_class for index access methods, pg_index), the coverage rule from
// core/fk_coverage, and sizes and names only for the foreign keys found missing.
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "catalog/foreign_keys.hpp"
#include "catalog/indexes.hpp"
#include "catalog/names.hpp"
#include "catalog/relation_size.hpp"
#include "core/fk_coverage.hpp"
#include "core/index_ddl.hpp"
#include "health/fk_indexes.hpp"
#include "pg/barrier.hpp"
#include "pg/guard.hpp"
#include "pg/srf.hpp"

extern "C" {
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

// Where the new index goes: the table itself, or for a partitioned table the whole tree below it.
// Returns std::nullopt when some relation of the tree vanished meanwhile.
std::optional<core::IndexTarget> index_target(const catalog::ClassCatalog &classes, Oid table,
                                              const std::vector<std::string> &columns,
                                              std::set<std::pair<Oid, std::string>> &reserved) {
  const catalog::ClassRow *row = classes.find(table);
  if (row == nullptr)
    return std::nullopt; // a partition attached after the scan: leave the suggestion out rather than guess
  std::optional<std::string> schema = catalog::namespace_name(row->namespace_oid);
  if (!schema)
    return std::nullopt;
  core::IndexTarget target;
  target.schema = catalog::quote_identifier(*schema);
  target.table = catalog::quote_identifier(row->name);
  target.index_name =
      catalog::quote_identifier(catalog::choose_index_name(classes, row->name, columns, row->namespace_oid, reserved));
  target.partitioned = row->relkind == RELKIND_PARTITIONED_TABLE;
  if (target.partitioned) {
    for (Oid partition : direct_partitions(table)) {
      std::optional<core::IndexTarget> child = index_target(classes, partition, columns, reserved);
      if (!child)
        return std::nullopt;
      target.partitions.push_back(std::move(*child));
    }
  }
  return target;
}

std::vector<MissingIndex> find_missing(const std::vector<catalog::ForeignKey> &fks,
                                       const catalog::ClassCatalog &classes, const catalog::IndexCatalog &indexes,
                                       catalog::RelationSizer &sizer) {
  std::unordered_map<Oid, std::optional<std::string>> schemas; // a handful of schemas, looked up once each
  std::unordered_map<Oid, std::optional<std::int64_t>> sizes;  // one measurement per table
  std::vector<MissingIndex> missing;
  for (const catalog::ForeignKey &fk : fks) {
    if (core::any_index_covers(indexes.shapes_of(fk.table), fk.columns))
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
    row.table = table->name;
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

std::vector<MissingFkIndex> missing_fk_indexes(const std::vector<catalog::ForeignKey> &fks,
                                               const catalog::ClassCatalog &classes,
                                               const catalog::IndexCatalog &indexes, catalog::RelationSizer &sizer) {
  std::vector<MissingFkIndex> result;
  std::set<std::pair<Oid, std::string>> reserved_names;
  // Foreign keys of one table over the same column set get one suggestion, not two indexes.
  std::map<std::pair<Oid, std::vector<core::AttrNumber>>, std::string> suggested;
  for (MissingIndex &row : find_missing(fks, classes, indexes, sizer)) {
    std::vector<core::AttrNumber> column_set = row.fk->columns;
    std::sort(column_set.begin(), column_set.end());
    auto statement = suggested.find({row.fk->table, column_set});
    if (statement == suggested.end()) {
      std::optional<core::IndexTarget> target = index_target(classes, row.fk->table, row.columns, reserved_names);
      if (!target)
        continue;
      std::vector<std::string> quoted;
      for (const std::string &column : row.columns)
        quoted.push_back(catalog::quote_identifier(column));
      statement =
          suggested.emplace(std::make_pair(row.fk->table, column_set), core::create_index_statements(*target, quoted))
              .first;
    }
    result.push_back(MissingFkIndex{row.fk, row.table_bytes, std::move(row.columns), statement->second});
  }
  return result;
}

} // namespace pgo::health

PGO_FUNCTION(pgo_missing_fk_indexes) {
  using namespace pgo;
  const std::vector<catalog::ForeignKey> fks = catalog::read_user_foreign_keys();
  const catalog::ClassCatalog classes = catalog::ClassCatalog::read();
  const catalog::IndexCatalog indexes = catalog::IndexCatalog::read(classes, catalog::tables_of(fks));
  catalog::RelationSizer sizer(classes, indexes);

  pg::ResultSet out(fcinfo);
  for (const health::MissingFkIndex &row : health::missing_fk_indexes(fks, classes, indexes, sizer)) {
    out.begin_row();
    out.add_oid(row.fk->table);
    out.add_name(row.fk->name);
    out.add_name_array(row.columns);
    out.add_oid(row.fk->referenced_table);
    out.add_int64(row.table_bytes);
    out.add_text(row.suggested_index);
    out.end_row();
  }
  return out.done();
}
