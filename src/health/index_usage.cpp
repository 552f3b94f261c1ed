#include "health/index_usage.hpp"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

#include "catalog/indexes.hpp"
#include "catalog/names.hpp"
#include "core/bloat.hpp"
#include "core/fk_coverage.hpp"
#include "core/units.hpp"
#include "pg/barrier.hpp"
#include "pg/fmgr_call.hpp"
#include "pg/srf.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_am.h"
#include "storage/bufpage.h"
#include "utils/fmgrprotos.h"
}

namespace pgo::health {
namespace {

constexpr std::int64_t kBloatReportBytes = 10 * 1024 * 1024;

core::IndexShape shape_of(const catalog::IndexDetails &d) {
  core::IndexShape s;
  s.am = d.access_method == BTREE_AM_OID  ? core::AccessMethod::Btree
         : d.access_method == HASH_AM_OID ? core::AccessMethod::Hash
                                          : core::AccessMethod::Other;
  s.valid = d.valid;
  s.ready = d.ready;
  s.partial = d.partial();
  s.key_columns.assign(d.columns.begin(), d.columns.begin() + std::min<long>(d.key_count, d.columns.size()));
  return s;
}

// Everything that makes two indexes interchangeable (PostgreSQL would answer the same queries with either): the key
// columns with their operator classes, collations and options, the INCLUDE columns (they serve index-only scans),
// expressions and predicate.
auto identity_of(const catalog::IndexDetails &d) {
  return std::make_tuple(d.table, d.access_method, d.key_count, d.columns, d.opclasses, d.collations, d.options,
                         d.expressions, d.predicate);
}

// Which of two identical indexes to keep: the one that enforces something, then a valid one, then the older one.
bool better_to_keep(const catalog::IndexDetails &a, const catalog::IndexDetails &b) {
  return std::make_tuple(!a.primary, !a.enforces_constraint(), !a.valid, a.index) <
         std::make_tuple(!b.primary, !b.enforces_constraint(), !b.valid, b.index);
}

// a's key columns (with their operator classes, collations and options) are a strict leading prefix of b's.
bool is_strict_prefix(const catalog::IndexDetails &a, const catalog::IndexDetails &b) {
  if (a.key_count >= b.key_count || a.access_method != b.access_method || a.table != b.table)
    return false;
  for (int i = 0; i < a.key_count; i++) {
    const auto k = static_cast<std::size_t>(i);
    if (k >= a.columns.size() || k >= b.columns.size() || a.columns[k] == 0 || a.columns[k] != b.columns[k])
      return false;
    if (k >= a.opclasses.size() || k >= b.opclasses.size() || a.opclasses[k] != b.opclasses[k])
      return false;
    if (k < a.collations.size() && k < b.collations.size() && a.collations[k] != b.collations[k])
      return false;
    if (k < a.options.size() && k < b.options.size() && a.options[k] != b.options[k])
      return false;
  }
  return true;
}

std::optional<std::int64_t> btree_bloat(const catalog::ClassRow &index, const catalog::IndexDetails &d,
                                        const std::vector<catalog::ColumnFacts> &table_columns) {
  if (d.access_method != BTREE_AM_OID || !d.expressions.empty())
    return std::nullopt;
  core::RelationStats stats;
  stats.actual_pages = index.pages;
  stats.reltuples = index.tuples;
  stats.stats_for_every_column = true;
  for (std::int16_t attnum : d.columns) {
    auto column = std::find_if(table_columns.begin(), table_columns.end(),
                               [&](const catalog::ColumnFacts &c) { return c.attnum == attnum; });
    if (column == table_columns.end() || !column->has_stats)
      return std::nullopt;
    core::ColumnStats cs;
    cs.avg_width = column->avg_width;
    cs.null_frac = column->null_frac;
    cs.typalign = column->align;
    cs.varlena = column->varlena;
    stats.columns.push_back(cs);
  }
  core::PageLayout layout;
  layout.page_size = BLCKSZ;
  layout.page_header_size = SizeOfPageHeaderData;
  layout.maxalign = MAXIMUM_ALIGNOF;
  const std::optional<core::BloatEstimate> estimate = core::estimate_btree_bloat(stats, layout);
  if (!estimate)
    return std::nullopt;
  return estimate->estimated_bloat_bytes;
}

} // namespace

std::unordered_set<Oid> indexed_tables(const std::vector<catalog::IndexDetails> &details) {
  std::unordered_set<Oid> result;
  for (const catalog::IndexDetails &d : details)
    if (d.access_method == BTREE_AM_OID)
      result.insert(d.table);
  return result;
}

std::vector<IndexUsage> index_usage(const catalog::ClassCatalog &classes,
                                    const std::vector<catalog::IndexDetails> &details,
                                    const std::vector<catalog::ForeignKey> &foreign_keys,
                                    const catalog::ColumnCatalog &columns, catalog::RelationSizer &sizer) {
  std::vector<IndexUsage> result;
  result.reserve(details.size());
  std::unordered_map<Oid, std::vector<std::size_t>> by_table;
  for (const catalog::IndexDetails &d : details) {
    IndexUsage u;
    u.details = d;
    by_table[d.table].push_back(result.size());
    result.push_back(std::move(u));
  }

  // The indexes covering each foreign key, found once for both rules below.
  std::vector<std::vector<std::size_t>> covering_of(foreign_keys.size());
  for (std::size_t k = 0; k < foreign_keys.size(); k++) {
    auto table = by_table.find(foreign_keys[k].table);
    if (table == by_table.end())
      continue;
    for (std::size_t i : table->second)
      if (core::index_covers_foreign_key(shape_of(result[i].details), foreign_keys[k].columns))
        covering_of[k].push_back(i);
  }
  // The only index serving a foreign key is needed by every DELETE of a referenced row, scanned or not.
  for (const std::vector<std::size_t> &covering : covering_of)
    if (covering.size() == 1)
      result[covering.front()].serves_foreign_key = true;

  // Duplicates: identical definitions on one table.
  std::map<decltype(identity_of(details.front())), std::size_t> keeper;
  for (std::size_t i = 0; i < result.size(); i++) {
    auto [it, inserted] = keeper.emplace(identity_of(result[i].details), i);
    if (!inserted && better_to_keep(result[i].details, result[it->second].details))
      it->second = i;
  }
  for (std::size_t i = 0; i < result.size(); i++) {
    const std::size_t keep = keeper.at(identity_of(result[i].details));
    if (keep != i)
      result[i].duplicate_of = result[keep].details.index;
  }

  for (IndexUsage &u : result) {
    const catalog::IndexDetails &d = u.details;
    u.bytes = sizer.unlocked_relation_bytes(d.index);
    u.activity = catalog::index_activity(d.index);
    u.unused = u.activity.scans == 0 && !d.enforces_constraint() && !u.serves_foreign_key;
    // Redundant: a strict leading prefix of another usable, non-partial btree index, enforcing nothing itself.
    if (d.access_method == BTREE_AM_OID && !d.enforces_constraint() && !d.partial() && d.expressions.empty() &&
        !OidIsValid(u.duplicate_of)) {
      for (std::size_t other : by_table[d.table]) {
        const catalog::IndexDetails &o = result[other].details;
        if (o.index != d.index && o.valid && !o.partial() && is_strict_prefix(d, o)) {
          u.redundant_with = o.index;
          break;
        }
      }
    }
    if (const catalog::ClassRow *row = classes.find(d.index))
      u.bloat_bytes = btree_bloat(*row, d, columns.columns_of(d.table));
  }

  // Never advise dropping every index a foreign key can use: when all its covering indexes are up for dropping
  // (unused, duplicate, redundant), keep the one the others defer to and say why.
  auto droppable = [](const IndexUsage &u) {
    return !u.details.valid || OidIsValid(u.duplicate_of) || OidIsValid(u.redundant_with) || u.unused;
  };
  for (const std::vector<std::size_t> &covering : covering_of) {
    if (covering.empty() ||
        !std::all_of(covering.begin(), covering.end(), [&](std::size_t i) { return droppable(result[i]); }))
      continue;
    const auto keep = std::min_element(covering.begin(), covering.end(), [&](std::size_t a, std::size_t b) {
      const IndexUsage &x = result[a], &y = result[b];
      return std::make_tuple(OidIsValid(x.duplicate_of), OidIsValid(x.redundant_with), x.bytes, x.details.index) <
             std::make_tuple(OidIsValid(y.duplicate_of), OidIsValid(y.redundant_with), y.bytes, y.details.index);
    });
    IndexUsage &kept = result[*keep];
    kept.unused = false;
    kept.duplicate_of = InvalidOid;
    kept.redundant_with = InvalidOid;
    kept.serves_foreign_key = true;
  }

  for (IndexUsage &u : result) {
    const catalog::IndexDetails &d = u.details;
    const std::string name = catalog::qualified_name(classes, d.index).value_or(std::to_string(d.index));
    const std::string drop = fmt::format("DROP INDEX CONCURRENTLY {};", name);
    if (!d.valid)
      u.recommendation = fmt::format("invalid: left by a failed CREATE INDEX or REINDEX CONCURRENTLY, maintained on "
                                     "every write and never used; remove it with {} and build it again once the "
                                     "cause (duplicate keys, a cancelled build) is fixed",
                                     drop);
    else if (OidIsValid(u.duplicate_of))
      u.recommendation = fmt::format("duplicate of {}: {}",
                                     catalog::qualified_name(classes, u.duplicate_of).value_or("another index"), drop);
    else if (OidIsValid(u.redundant_with))
      u.recommendation =
          fmt::format("its columns lead {}, which serves the same lookups: {}",
                      catalog::qualified_name(classes, u.redundant_with).value_or("another index"), drop);
    else if (u.unused)
      u.recommendation = fmt::format("never scanned since the statistics were reset ({} to maintain on every write): "
                                     "{}",
                                     core::pretty_bytes(u.bytes), drop);
    else if (u.bloat_bytes && *u.bloat_bytes >= kBloatReportBytes && *u.bloat_bytes * 2 >= u.bytes)
      u.recommendation =
          fmt::format("about {} of bloat: REINDEX INDEX CONCURRENTLY {};", core::pretty_bytes(*u.bloat_bytes), name);
  }
  std::sort(result.begin(), result.end(), [](const IndexUsage &a, const IndexUsage &b) {
    return a.bytes != b.bytes ? a.bytes > b.bytes : a.details.index < b.details.index;
  });
  return result;
}

} // namespace pgo::health

PGO_FUNCTION(pgo_index_usage) {
  using namespace pgo;
  const catalog::ClassCatalog classes = catalog::ClassCatalog::read();
  const catalog::IndexCatalog indexes = catalog::IndexCatalog::read(classes, {});
  const std::vector<catalog::IndexDetails> details = catalog::read_index_details(classes);
  const std::vector<catalog::ForeignKey> fks = catalog::read_user_foreign_keys();
  const catalog::ColumnCatalog columns = catalog::ColumnCatalog::read(health::indexed_tables(details));
  catalog::RelationSizer sizer(classes, indexes);
  const std::vector<health::IndexUsage> rows = health::index_usage(classes, details, fks, columns, sizer);

  pg::ResultSet out(fcinfo);
  for (const health::IndexUsage &u : rows) {
    out.begin_row();
    out.add_oid(u.details.index);
    out.add_oid(u.details.table);
    out.add_int64(u.bytes);
    out.add_int64(u.activity.scans);
    out.add_int64(u.activity.tuples_read);
    out.add_bool(u.details.unique);
    out.add_bool(u.details.primary);
    out.add_bool(u.details.valid);
    out.add_bool(u.unused);
    if (OidIsValid(u.duplicate_of))
      out.add_oid(u.duplicate_of);
    else
      out.add_null();
    if (OidIsValid(u.redundant_with))
      out.add_oid(u.redundant_with);
    else
      out.add_null();
    out.add_optional(u.bloat_bytes, &pg::ResultSet::add_int64);
    if (u.recommendation.empty())
      out.add_null();
    else
      out.add_text(u.recommendation);
    out.end_row();
  }
  return out.done();
}
