#include "health/index_usage.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

#include "catalog/fk_predicate.hpp"
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
  s.index_oid = d.index;
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
// Compared field by field, without copying them.
bool same_identity(const catalog::IndexDetails &a, const catalog::IndexDetails &b) {
  return a.table == b.table && a.access_method == b.access_method && a.key_count == b.key_count &&
         a.nulls_not_distinct == b.nulls_not_distinct && a.columns == b.columns && a.opclasses == b.opclasses &&
         a.collations == b.collations && a.options == b.options && a.expressions == b.expressions &&
         a.predicate == b.predicate;
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
    if (column == table_columns.end() || !column->has_stats) {
      stats.stats_for_every_column = false; // still estimable when the index is known to be empty
      continue;
    }
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

std::unordered_set<Oid> indexed_tables(const std::vector<IndexUsage> &rows) {
  std::unordered_set<Oid> result;
  for (const IndexUsage &u : rows)
    if (u.details.access_method == BTREE_AM_OID)
      result.insert(u.details.table);
  return result;
}

namespace {

// May `dup` go when `keeper`, identical in definition, stays? Not when a constraint or the replica identity needs
// it, nor when it is attached to a partitioned index; a unique one only for a keeper that enforces the same
// uniqueness (unique, NULLS NOT DISTINCT alike, checked at least as soon).
bool may_drop_as_duplicate(const catalog::IndexDetails &dup, const catalog::IndexDetails &keeper) {
  if (dup.constraint_backed() || dup.primary || dup.exclusion || dup.replica_identity || dup.attached() ||
      !keeper.valid)
    return false;
  if (!dup.unique)
    return true;
  return keeper.unique && keeper.nulls_not_distinct == dup.nulls_not_distinct && (keeper.immediate || !dup.immediate);
}

// Every column `a` stores (key and INCLUDE) is stored by `b` too: index-only scans on a work on b.
bool stores_columns_of(const catalog::IndexDetails &a, const catalog::IndexDetails &b) {
  return std::all_of(a.columns.begin(), a.columns.end(), [&](std::int16_t column) {
    return std::find(b.columns.begin(), b.columns.end(), column) != b.columns.end();
  });
}

bool may_be_redundant(const catalog::IndexDetails &d) {
  return d.access_method == BTREE_AM_OID && !d.enforces_constraint() && !d.constraint_backed() && !d.partial() &&
         d.expressions.empty() && !d.attached();
}

// Positions in the rows, a run of a sorted vector.
struct Positions {
  const std::size_t *first;
  const std::size_t *last;
  const std::size_t *begin() const { return first; }
  const std::size_t *end() const { return last; }
  bool empty() const { return first == last; }
};

bool may_replace(const catalog::IndexDetails &shorter, const catalog::IndexDetails &longer) {
  return longer.index != shorter.index && longer.valid && !longer.partial() && is_strict_prefix(shorter, longer) &&
         stores_columns_of(shorter, longer);
}

} // namespace

std::vector<IndexUsage> index_usage(const catalog::ClassCatalog &classes, const catalog::Inheritance &inheritance,
                                    std::vector<catalog::IndexDetails> details,
                                    const std::vector<catalog::ForeignKey> &foreign_keys,
                                    const catalog::ColumnCatalog &columns, const catalog::RelationStatistics &stats,
                                    catalog::RelationSizer &sizer) {
  std::vector<IndexUsage> result;
  result.reserve(details.size());
  for (catalog::IndexDetails &d : details) {
    IndexUsage u;
    u.details = std::move(d);
    result.push_back(std::move(u));
  }
  std::vector<catalog::IndexDetails>().swap(details); // the moved-from shells: a quarter of the rows' memory
  judge_index_usage(classes, inheritance, result, foreign_keys, columns, stats, sizer);
  return result;
}

void judge_index_usage(const catalog::ClassCatalog &classes, const catalog::Inheritance &inheritance,
                       std::vector<IndexUsage> &result, const std::vector<catalog::ForeignKey> &foreign_keys,
                       const catalog::ColumnCatalog &columns, const catalog::RelationStatistics &stats,
                       catalog::RelationSizer &sizer) {
  // Row positions by table (each table's in scan order) and by index, sorted, instead of hash maps of vectors.
  std::vector<std::size_t> by_table_order(result.size());
  for (std::size_t i = 0; i < result.size(); i++)
    by_table_order[i] = i;
  std::stable_sort(by_table_order.begin(), by_table_order.end(),
                   [&](std::size_t a, std::size_t b) { return result[a].details.table < result[b].details.table; });
  auto members_of = [&](Oid table) {
    const auto first = std::lower_bound(by_table_order.begin(), by_table_order.end(), table,
                                        [&](std::size_t i, Oid t) { return result[i].details.table < t; });
    const auto last = std::upper_bound(first, by_table_order.end(), table,
                                       [&](Oid t, std::size_t i) { return t < result[i].details.table; });
    return Positions{by_table_order.data() + (first - by_table_order.begin()),
                     by_table_order.data() + (last - by_table_order.begin())};
  };
  std::vector<std::pair<Oid, std::size_t>> by_index;
  by_index.reserve(result.size());
  for (std::size_t i = 0; i < result.size(); i++)
    by_index.emplace_back(result[i].details.index, i);
  std::sort(by_index.begin(), by_index.end());
  auto position_of = [&](Oid index) {
    const auto found = std::lower_bound(by_index.begin(), by_index.end(), std::make_pair(index, std::size_t{0}));
    if (found == by_index.end() || found->first != index)
      throw std::out_of_range("pg_optimize: index_usage lost track of an index");
    return found->second;
  };
  auto name_of = [&](Oid relid) { return catalog::qualified_name(classes, relid).value_or(std::to_string(relid)); };

  // Sizes and scans. A partitioned index has neither storage nor statistics of its own: it is what its partitions'
  // indexes are, summed over the leaves of its tree.
  for (IndexUsage &u : result) {
    const catalog::IndexDetails &d = u.details;
    if (!d.partitioned) {
      u.bytes = sizer.unlocked_relation_bytes(d.index);
      u.activity = stats.index(d.index);
      continue;
    }
    for (Oid leaf : inheritance.leaves_of(d.index)) {
      if (leaf == d.index)
        continue;
      u.bytes += sizer.unlocked_relation_bytes(leaf);
      const catalog::IndexActivity a = stats.index(leaf);
      u.activity.scans += a.scans;
      u.activity.tuples_read += a.tuples_read;
      u.activity.tuples_fetched += a.tuples_fetched;
      u.activity.blocks_read += a.blocks_read;
      u.activity.blocks_hit += a.blocks_hit;
    }
  }

  // The indexes covering each foreign key (partial ones when the key's lookup implies their predicate).
  std::vector<std::vector<std::size_t>> covering_of(foreign_keys.size());
  for (std::size_t k = 0; k < foreign_keys.size(); k++) {
    const Positions table = members_of(foreign_keys[k].table);
    if (table.empty())
      continue;
    const core::PredicateProof proof = catalog::fk_predicate_proof(foreign_keys[k].table, foreign_keys[k].columns);
    for (std::size_t i : table)
      if (core::index_covers_foreign_key(shape_of(result[i].details), foreign_keys[k].columns, proof))
        covering_of[k].push_back(i);
  }

  // Duplicates: identical definitions on one table. The keeper is the one a constraint needs, then the primary
  // key, an attached one, one that enforces something, an immediate one, a valid one, the oldest.
  auto keep_rank = [](const catalog::IndexDetails &d) {
    return std::make_tuple(!d.constraint_backed(), !d.primary, !d.attached(), !d.enforces_constraint(), !d.immediate,
                           !d.valid, d.index);
  };
  // Identical indexes are on one table: each table's few indexes are compared with each other.
  for (std::size_t i = 0; i < result.size(); i++) {
    std::size_t keep = i;
    for (std::size_t j : members_of(result[i].details.table))
      if (j != i && same_identity(result[j].details, result[i].details) &&
          keep_rank(result[j].details) < keep_rank(result[keep].details))
        keep = j;
    if (keep != i && may_drop_as_duplicate(result[i].details, result[keep].details))
      result[i].duplicate_of = result[keep].details.index;
  }

  for (IndexUsage &u : result) {
    const catalog::IndexDetails &d = u.details;
    u.unused = u.activity.scans == 0 && !d.enforces_constraint() && !d.constraint_backed() && !d.attached();
    // Redundant: a strict leading prefix of another usable, non-partial btree index that stores its columns.
    if (may_be_redundant(d) && !OidIsValid(u.duplicate_of)) {
      for (std::size_t other : members_of(d.table))
        if (may_replace(d, result[other].details)) {
          u.redundant_with = result[other].details.index;
          break;
        }
    }
    if (const catalog::ClassRow *row = classes.find(d.index); row != nullptr && !d.partitioned)
      u.bloat_bytes = btree_bloat(*row, d, columns.columns_of(d.table));
  }

  // The whole set of drops at once. An index is dropped for being invalid, unused, a duplicate or redundant; never
  // when attached to a partitioned index (the partitioned one carries the advice) or backing a constraint.
  auto droppable = [](const IndexUsage &u) {
    if (u.details.attached() || u.details.constraint_backed())
      return false;
    return !u.details.valid || OidIsValid(u.duplicate_of) || OidIsValid(u.redundant_with) || u.unused;
  };
  std::vector<bool> drop(result.size());
  for (std::size_t i = 0; i < result.size(); i++)
    drop[i] = droppable(result[i]);

  // Every foreign key keeps one covering index: when all are up for dropping, the one the others defer to stays.
  for (const std::vector<std::size_t> &covering : covering_of) {
    if (covering.empty() || !std::all_of(covering.begin(), covering.end(), [&](std::size_t i) { return drop[i]; }))
      continue;
    const auto keep = std::min_element(covering.begin(), covering.end(), [&](std::size_t a, std::size_t b) {
      const IndexUsage &x = result[a], &y = result[b];
      return std::make_tuple(!x.details.valid, OidIsValid(x.duplicate_of), OidIsValid(x.redundant_with), x.bytes,
                             x.details.index) < std::make_tuple(!y.details.valid, OidIsValid(y.duplicate_of),
                                                                OidIsValid(y.redundant_with), y.bytes, y.details.index);
    });
    IndexUsage &kept = result[*keep];
    drop[*keep] = false;
    kept.unused = false;
    kept.duplicate_of = InvalidOid;
    kept.redundant_with = InvalidOid;
    kept.serves_foreign_key = true;
  }
  for (std::size_t k = 0; k < covering_of.size(); k++) {
    std::vector<std::size_t> left;
    for (std::size_t i : covering_of[k])
      if (!drop[i])
        left.push_back(i);
    if (left.size() == 1 && result[left.front()].kept_because.empty())
      result[left.front()].kept_because = fmt::format("the only index left for foreign key {}", foreign_keys[k].name);
  }

  // A duplicate or redundant index goes only if what replaces it stays. When that one is dropped too (unused, say,
  // because the planner prefers the smaller index), look for another replacement, else keep this one: the lookup
  // keeps an index. Each round only takes drops back, so this ends.
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t i = 0; i < result.size(); i++) {
      IndexUsage &u = result[i];
      if (!drop[i])
        continue;
      if (OidIsValid(u.duplicate_of) && drop[position_of(u.duplicate_of)]) {
        u.duplicate_of = InvalidOid;
        for (std::size_t other : members_of(u.details.table))
          if (other != i && !drop[other] && same_identity(result[other].details, u.details) &&
              may_drop_as_duplicate(u.details, result[other].details)) {
            u.duplicate_of = result[other].details.index;
            break;
          }
      }
      if (OidIsValid(u.redundant_with) && drop[position_of(u.redundant_with)]) {
        u.redundant_with = InvalidOid;
        for (std::size_t other : members_of(u.details.table))
          if (!drop[other] && may_replace(u.details, result[other].details)) {
            u.redundant_with = result[other].details.index;
            break;
          }
      }
      if (!droppable(u)) {
        drop[i] = false;
        changed = true;
        if (u.kept_because.empty())
          u.kept_because = "the indexes that would serve its lookups instead are advised for dropping";
      }
    }
  }

  for (std::size_t i = 0; i < result.size(); i++) {
    IndexUsage &u = result[i];
    const catalog::IndexDetails &d = u.details;
    if (u.kept_because.empty()) {
      if (d.attached())
        u.kept_because =
            fmt::format("attached to partitioned index {} (advice goes to that one)", name_of(d.parent_index));
      else if (d.primary)
        u.kept_because = "primary key";
      else if (d.constraint_backed())
        u.kept_because = fmt::format("{} {} needs it",
                                     d.constraint_type == 'f'   ? "foreign key"
                                     : d.constraint_type == 'x' ? "exclusion constraint"
                                                                : "constraint",
                                     d.constraint_name);
      else if (d.exclusion)
        u.kept_because = "exclusion constraint";
      else if (d.replica_identity)
        u.kept_because = "replica identity";
      else if (d.unique)
        u.kept_because = "enforces uniqueness";
      else if (u.serves_foreign_key)
        u.kept_because = "the only index of a foreign key";
    }
    if (drop[i])
      u.kept_because.clear();

    if (!drop[i]) {
      u.unused = u.unused && !u.serves_foreign_key && u.kept_because.empty();
      u.duplicate_of = InvalidOid;
      u.redundant_with = InvalidOid;
      if (d.valid && !d.partitioned && u.bloat_bytes && *u.bloat_bytes >= kBloatReportBytes &&
          *u.bloat_bytes * 2 >= u.bytes) {
        const std::string name = name_of(d.index);
        u.recommendation =
            fmt::format("about {} of bloat: REINDEX INDEX CONCURRENTLY {};", core::pretty_bytes(*u.bloat_bytes), name);
        u.sql = fmt::format("REINDEX INDEX CONCURRENTLY {};", name);
      }
      continue;
    }
    const std::string name = name_of(d.index);
    // PostgreSQL refuses CONCURRENTLY for a partitioned index; a plain DROP takes its partitions' indexes along.
    const std::string drop_sql =
        d.partitioned ? fmt::format("DROP INDEX {};", name) : fmt::format("DROP INDEX CONCURRENTLY {};", name);
    const char *tree = d.partitioned ? " (a partitioned index: the drop removes its partitions' indexes too and "
                                       "locks the tables briefly)"
                                     : "";
    u.sql = drop_sql;
    if (!d.valid)
      u.recommendation = fmt::format("invalid: left by a failed CREATE INDEX or REINDEX CONCURRENTLY, maintained on "
                                     "every write and never used; remove it with {} and build it again once the "
                                     "cause (duplicate keys, a cancelled build) is fixed{}",
                                     drop_sql, tree);
    else if (OidIsValid(u.duplicate_of))
      u.recommendation = fmt::format("duplicate of {}: {}{}", name_of(u.duplicate_of), drop_sql, tree);
    else if (OidIsValid(u.redundant_with))
      u.recommendation = fmt::format("its columns lead {}, which serves the same lookups: {}{}",
                                     name_of(u.redundant_with), drop_sql, tree);
    else
      u.recommendation = fmt::format("never scanned since the statistics were reset ({} to maintain on every write): "
                                     "{}{}",
                                     core::pretty_bytes(u.bytes), drop_sql, tree);
  }
  // Biggest first. A row is large (definitions, advice): sort the positions, then move each row once into place.
  std::vector<std::size_t> order(result.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return result[a].bytes != result[b].bytes ? result[a].bytes > result[b].bytes
                                              : result[a].details.index < result[b].details.index;
  });
  for (std::size_t start = 0; start < order.size(); start++) { // follow each cycle of the permutation
    if (order[start] == start)
      continue;
    IndexUsage first = std::move(result[start]);
    std::size_t at = start;
    for (std::size_t from = order[at]; from != start; from = order[at]) {
      result[at] = std::move(result[from]);
      order[at] = at;
      at = from;
    }
    result[at] = std::move(first);
    order[at] = at;
  }
}

} // namespace pgo::health

PGO_FUNCTION(pgo_index_usage) {
  using namespace pgo;
  const catalog::RelationStatistics stats =
      catalog::RelationStatistics::read(catalog::statistics_untouched_in_transaction());
  // Indexes and their tables are all it looks at (the index of a TOAST table is skipped either way).
  const catalog::ClassCatalog classes = catalog::ClassCatalog::read(catalog::kTablesAndIndexes);
  const catalog::IndexCatalog indexes = catalog::IndexCatalog::read(classes, {});
  const catalog::Inheritance inheritance = catalog::Inheritance::read();
  // The indexes are read straight into the rows: a vector of IndexDetails beside the rows would double the peak.
  std::vector<health::IndexUsage> rows;
  rows.reserve(catalog::reported_index_count(classes));
  catalog::read_index_details(classes, inheritance, [&](catalog::IndexDetails &&d) {
    rows.emplace_back();
    rows.back().details = std::move(d);
  });
  const std::vector<catalog::ForeignKey> fks = catalog::read_user_foreign_keys();
  const catalog::ColumnCatalog columns = catalog::ColumnCatalog::read(health::indexed_tables(rows));
  catalog::RelationSizer sizer(classes, indexes);
  health::judge_index_usage(classes, inheritance, rows, fks, columns, stats, sizer);

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
    if (u.kept_because.empty())
      out.add_null();
    else
      out.add_text(u.kept_because);
    out.end_row();
  }
  return out.done();
}
