#include "health/index_usage.hpp"

#include <algorithm>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <tuple>

#include "catalog/fk_predicate.hpp"
#include "catalog/indexes.hpp"
#include "catalog/names.hpp"
#include "core/bloat.hpp"
#include "core/fk_coverage.hpp"
#include "pg/barrier.hpp"
#include "pg/fmgr_call.hpp"
#include "pg/srf.hpp"
#include "settings.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_am.h"
#include "storage/bufpage.h"
#include "utils/fmgrprotos.h"
}

namespace pgo::health {

static_assert(sizeof(IndexUsage) <= 80, "IndexUsage: one row per index, kept small");

using Definition = IndexUsageInput::Definition;

// ---- the rows' texts, built when asked for

std::string IndexUsageNames::name_of(Oid relid) const { return catalog::display_name(*classes, relid); }

std::string IndexUsageNames::foreign_key_name(std::uint32_t covered) const {
  const std::uint32_t first = covered == 0 ? 0 : foreign_key_name_ends.at(covered - 1);
  return foreign_key_names.substr(first, foreign_key_name_ends.at(covered) - first);
}

std::uint32_t IndexUsageNames::kept_foreign_key(Oid index) const {
  const auto found = std::lower_bound(kept_foreign_keys.begin(), kept_foreign_keys.end(), std::make_pair(index, 0u));
  if (found == kept_foreign_keys.end() || found->first != index)
    throw std::out_of_range("pg_optimize: index_usage lost track of a foreign key");
  return found->second;
}

core::IndexFindingInput IndexUsage::finding_input(const IndexUsageNames &names) const {
  core::IndexFindingInput in;
  in.finding = finding;
  if (finding == core::IndexFinding::None)
    return in;
  in.index = names.name_of(details.index);
  in.partitioned = details.partitioned;
  in.bytes = bytes;
  in.bloat_bytes = bloat;
  if (finding == core::IndexFinding::DropDuplicate)
    in.replacement = names.name_of(duplicate_of);
  else if (finding == core::IndexFinding::DropRedundant)
    in.replacement = names.name_of(redundant_with);
  return in;
}

std::string IndexUsage::recommendation(const IndexUsageNames &names) const {
  return core::index_finding_recommendation(finding_input(names));
}

std::string IndexUsage::sql(const IndexUsageNames &names) const {
  return core::index_finding_sql(finding_input(names));
}

std::string IndexUsage::kept_because(const IndexUsageNames &names) const {
  switch (kept) {
  case core::KeptReason::OnlyIndexLeftForForeignKey:
    return core::kept_reason_text(kept, names.foreign_key_name(names.kept_foreign_key(details.index)));
  case core::KeptReason::AttachedToPartitioned:
    return core::kept_reason_text(kept, names.name_of(parent_index));
  case core::KeptReason::ConstraintNeedsIt: {
    const auto name = names.constraint_names.find(details.index);
    return core::kept_reason_text(kept, name == names.constraint_names.end() ? std::string() : name->second,
                                  constraint_type);
  }
  default:
    return core::kept_reason_text(kept);
  }
}

// ---- the indexes as they are read

bool operator==(const Definition &a, const Definition &b) {
  return a.access_method == b.access_method && a.key_count == b.key_count &&
         a.nulls_not_distinct == b.nulls_not_distinct && a.columns == b.columns && a.opclasses == b.opclasses &&
         a.collations == b.collations && a.options == b.options && a.expressions == b.expressions &&
         a.predicate == b.predicate;
}

std::size_t IndexUsageInput::DefinitionHash::operator()(const Definition &d) const {
  std::size_t h = std::hash<Oid>()(d.access_method);
  const auto mix = [&h](std::size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
  mix(static_cast<std::size_t>(d.key_count));
  mix(d.nulls_not_distinct);
  for (std::int16_t c : d.columns)
    mix(static_cast<std::size_t>(static_cast<std::uint16_t>(c)));
  for (Oid o : d.opclasses)
    mix(o);
  for (Oid o : d.collations)
    mix(o);
  for (std::int16_t o : d.options)
    mix(static_cast<std::size_t>(static_cast<std::uint16_t>(o)));
  mix(std::hash<std::string>()(d.expressions));
  mix(std::hash<std::string>()(d.predicate));
  return h;
}

IndexUsageInput::IndexUsageInput(const catalog::ClassCatalog &classes)
    : classes_(classes), names_(std::make_shared<IndexUsageNames>()) {
  names_->classes = &classes;
}

void IndexUsageInput::add(const catalog::IndexDetails &d) {
  if (grouped_)
    throw std::logic_error("pg_optimize: index_usage took an index after its foreign keys");
  // Filled in place and looked up; copied only when new (most indexes share a definition with others).
  Definition &def = scratch_;
  def.access_method = d.access_method;
  def.key_count = d.key_count;
  def.nulls_not_distinct = d.nulls_not_distinct;
  def.columns.assign(d.columns.begin(), d.columns.end());
  def.opclasses.assign(d.opclasses.begin(), d.opclasses.end());
  def.collations.assign(d.collations.begin(), d.collations.end());
  def.options.assign(d.options.begin(), d.options.end());
  def.expressions.assign(d.expressions);
  def.predicate.assign(d.predicate);
  auto it = ids_.find(def);
  if (it == ids_.end()) {
    it = ids_.emplace(def, static_cast<std::uint32_t>(definitions_.size())).first;
    definitions_.push_back(&it->first);
  }

  IndexUsage u;
  u.details.index = d.index;
  u.details.table = d.table;
  u.details.unique = d.unique;
  u.details.primary = d.primary;
  u.details.valid = d.valid;
  u.details.partitioned = d.partitioned;
  u.parent_index = d.parent_index;
  u.definition = it->second;
  if (d.constraint_backed()) {
    u.constraint_type = d.constraint_type;
    if (!d.primary) // a primary key's reason is "primary key"; the others name their constraint
      names_->constraint_names.emplace(d.index, d.constraint_name);
  }
  u.exclusion = d.exclusion;
  u.replica_identity = d.replica_identity;
  u.immediate = d.immediate;
  u.ready = d.ready;
  rows_.push_back(std::move(u));
}

std::unordered_set<Oid> IndexUsageInput::indexed_tables() const {
  std::unordered_set<Oid> result;
  for (const IndexUsage &u : rows_)
    if (definitions_[u.definition]->access_method == BTREE_AM_OID)
      result.insert(u.details.table);
  return result;
}

// ---- the judgement

namespace {

constexpr std::int64_t kBloatReportBytes = 10 * 1024 * 1024;

// An index as the judgement compares it: its row and its definition.
struct Judged {
  const IndexUsage &row;
  const Definition &def;
};

core::IndexShape shape_of(const Judged &x) {
  core::IndexShape s;
  s.index_oid = x.row.details.index;
  s.am = x.def.access_method == BTREE_AM_OID  ? core::AccessMethod::Btree
         : x.def.access_method == HASH_AM_OID ? core::AccessMethod::Hash
                                              : core::AccessMethod::Other;
  s.valid = x.row.details.valid;
  s.ready = x.row.ready;
  s.partial = x.def.partial();
  s.key_columns.assign(x.def.columns.begin(),
                       x.def.columns.begin() +
                           std::min<long>(x.def.key_count, static_cast<long>(x.def.columns.size())));
  return s;
}

// Everything that makes two indexes interchangeable (PostgreSQL would answer the same queries with either): the key
// columns with their operator classes, collations and options, the INCLUDE columns (they serve index-only scans),
// expressions and predicate. Equal definitions share one id.
bool same_identity(const Judged &a, const Judged &b) {
  return a.row.details.table == b.row.details.table && a.row.definition == b.row.definition;
}

// a's key columns (with their operator classes, collations and options) are a strict leading prefix of b's.
bool is_strict_prefix(const Judged &x, const Judged &y) {
  const Definition &a = x.def, &b = y.def;
  if (a.key_count >= b.key_count || a.access_method != b.access_method || x.row.details.table != y.row.details.table)
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

std::optional<std::int64_t> btree_bloat(const catalog::ClassRow &index, const Definition &d,
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

// May `dup` go when `keeper`, identical in definition, stays? Not when a constraint or the replica identity needs
// it, nor when it is attached to a partitioned index; a unique one only for a keeper that enforces the same
// uniqueness (unique, NULLS NOT DISTINCT alike, checked at least as soon).
bool may_drop_as_duplicate(const Judged &dup, const Judged &keeper) {
  const IndexUsage &d = dup.row, &k = keeper.row;
  if (d.constraint_backed() || d.details.primary || d.exclusion || d.replica_identity || d.attached() ||
      !k.details.valid)
    return false;
  if (!d.details.unique)
    return true;
  return k.details.unique && keeper.def.nulls_not_distinct == dup.def.nulls_not_distinct &&
         (k.immediate || !d.immediate);
}

// Every column `a` stores (key and INCLUDE) is stored by `b` too: index-only scans on a work on b.
bool stores_columns_of(const Definition &a, const Definition &b) {
  return std::all_of(a.columns.begin(), a.columns.end(), [&](std::int16_t column) {
    return std::find(b.columns.begin(), b.columns.end(), column) != b.columns.end();
  });
}

bool may_be_redundant(const Judged &x) {
  return x.def.access_method == BTREE_AM_OID && !x.row.enforces_constraint() && !x.row.constraint_backed() &&
         !x.def.partial() && x.def.expressions.empty() && !x.row.attached();
}

bool may_replace(const Judged &shorter, const Judged &longer) {
  return longer.row.details.index != shorter.row.details.index && longer.row.details.valid && !longer.def.partial() &&
         is_strict_prefix(shorter, longer) && stores_columns_of(shorter.def, longer.def);
}

// Sorts the rows stably, rows that compare equal kept in their order, without std::stable_sort's buffer of as many
// rows again: the positions are sorted, then each row moves once into place.
template <typename Less> void sort_rows(std::vector<IndexUsage> &rows, Less less) {
  std::vector<std::uint32_t> order(rows.size());
  std::iota(order.begin(), order.end(), std::uint32_t{0});
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return less(rows[a], rows[b]) || (!less(rows[b], rows[a]) && a < b);
  });
  for (std::size_t start = 0; start < order.size(); start++) { // follow each cycle of the permutation
    if (order[start] == start)
      continue;
    IndexUsage first = std::move(rows[start]);
    std::size_t at = start;
    for (std::size_t from = order[at]; from != start; from = order[at]) {
      rows[at] = std::move(rows[from]);
      order[at] = static_cast<std::uint32_t>(at);
      at = from;
    }
    rows[at] = std::move(first);
    order[at] = static_cast<std::uint32_t>(at);
  }
}

// The rows of one table: a run of the rows sorted by table.
struct Run {
  std::size_t first = 0, last = 0;
  bool empty() const { return first == last; }
};

Run run_at(const std::vector<IndexUsage> &rows, std::size_t i) {
  Run run{i, i + 1};
  while (run.first > 0 && rows[run.first - 1].details.table == rows[i].details.table)
    run.first--;
  while (run.last < rows.size() && rows[run.last].details.table == rows[i].details.table)
    run.last++;
  return run;
}

Run rows_of_table(const std::vector<IndexUsage> &rows, Oid table) {
  const auto found =
      std::lower_bound(rows.begin(), rows.end(), table, [](const IndexUsage &u, Oid t) { return u.details.table < t; });
  if (found == rows.end() || found->details.table != table)
    return Run{};
  return run_at(rows, static_cast<std::size_t>(found - rows.begin()));
}

} // namespace

// Indexes are compared only with those of their own table: each table's rows together, in the order they were read
// (every choice of the judgement that takes the first match takes it in that order), so a table's rows are a run.
void IndexUsageInput::group_by_table() {
  if (grouped_)
    return;
  sort_rows(rows_, [](const IndexUsage &a, const IndexUsage &b) { return a.details.table < b.details.table; });
  grouped_ = true;
}

void IndexUsageInput::cover_user_foreign_keys() {
  catalog::scan_user_foreign_keys(
      [&](Oid table, const std::vector<core::AttrNumber> &) { return has_indexes_of(table); },
      [&](catalog::ForeignKey &&fk) { cover_foreign_key(fk); });
  foreign_keys_covered();
}

bool IndexUsageInput::has_indexes_of(Oid table) {
  group_by_table();
  return !rows_of_table(rows_, table).empty();
}

void IndexUsageInput::cover_foreign_key(const catalog::ForeignKey &fk) {
  if (covered_)
    throw std::logic_error("pg_optimize: index_usage took a foreign key after the last");
  group_by_table();
  const Run table = rows_of_table(rows_, fk.table);
  if (table.empty())
    return;
  // The indexes covering it (partial ones when the key's lookup implies their predicate).
  const std::size_t before = covering_.size();
  const core::PredicateProof proof = catalog::fk_predicate_proof(fk.table, fk.columns);
  for (std::size_t i = table.first; i < table.last; i++)
    if (core::index_covers_foreign_key(shape_of(Judged{rows_[i], *definitions_[rows_[i].definition]}), fk.columns,
                                       proof))
      covering_.push_back(static_cast<std::uint32_t>(i));
  if (covering_.size() == before)
    return;
  covering_first_.push_back(static_cast<std::uint32_t>(before));
  names_->foreign_key_names += fk.name;
  names_->foreign_key_name_ends.push_back(static_cast<std::uint32_t>(names_->foreign_key_names.size()));
}

void IndexUsageInput::foreign_keys_covered() {
  if (covered_)
    throw std::logic_error("pg_optimize: index_usage covered its foreign keys twice");
  group_by_table();
  covering_first_.push_back(static_cast<std::uint32_t>(covering_.size()));
  covered_ = true;
}

std::vector<Oid> IndexUsageInput::scanned_indexes(const catalog::Inheritance &inheritance) const {
  std::vector<Oid> result;
  result.reserve(rows_.size());
  for (const IndexUsage &u : rows_) {
    if (!u.details.partitioned) {
      result.push_back(u.details.index);
      continue;
    }
    for (Oid leaf : inheritance.leaves_of(u.details.index))
      if (leaf != u.details.index)
        result.push_back(leaf);
  }
  std::sort(result.begin(), result.end());
  result.erase(std::unique(result.begin(), result.end()), result.end());
  return result;
}

void IndexUsageInput::count_scans(const catalog::Inheritance &inheritance, const catalog::RelationStatistics &stats) {
  auto add = [](IndexUsage::Activity &to, const catalog::IndexActivity &a) {
    to.scans += a.scans;
    to.tuples_read += a.tuples_read;
    to.blocks_read += a.blocks_read;
    to.blocks_hit += a.blocks_hit;
  };
  for (IndexUsage &u : rows_) {
    u.activity = {};
    if (!u.details.partitioned) {
      add(u.activity, stats.index(u.details.index));
      continue;
    }
    for (Oid leaf : inheritance.leaves_of(u.details.index))
      if (leaf != u.details.index)
        add(u.activity, stats.index(leaf));
  }
}

void IndexUsageInput::measure_sizes(const catalog::Inheritance &inheritance, catalog::RelationSizer &sizer) {
  {
    std::vector<Oid> indexes;
    indexes.reserve(rows_.size());
    for (const IndexUsage &u : rows_) {
      if (!u.details.partitioned)
        indexes.push_back(u.details.index);
      else
        for (Oid leaf : inheritance.leaves_of(u.details.index))
          if (leaf != u.details.index)
            indexes.push_back(leaf);
    }
    // A partition's index is a row of its own and a leaf of the partitioned indexes above it: measured once.
    std::sort(indexes.begin(), indexes.end());
    indexes.erase(std::unique(indexes.begin(), indexes.end()), indexes.end());
    sizer.measure_ahead(indexes, catalog::RelationSizer::Ahead::Relations, settings::measure_thread_count());
  }
  for (IndexUsage &u : rows_) {
    if (!u.details.partitioned) {
      u.bytes = sizer.unlocked_relation_bytes(u.details.index);
      continue;
    }
    u.bytes = 0;
    for (Oid leaf : inheritance.leaves_of(u.details.index))
      if (leaf != u.details.index)
        u.bytes += sizer.unlocked_relation_bytes(leaf);
  }
}

IndexUsageRows judge_index_usage(IndexUsageInput input, const catalog::ColumnCatalog &columns) {
  input.group_by_table();
  if (!input.covered_)
    throw std::logic_error("pg_optimize: index_usage was judged before its foreign keys were covered");
  const catalog::ClassCatalog &classes = input.classes_;
  std::vector<IndexUsage> result = std::move(input.rows_);
  const std::vector<const Definition *> &definitions = input.definitions_;
  const std::vector<std::uint32_t> &covering = input.covering_;
  const std::vector<std::uint32_t> &covering_first = input.covering_first_;
  const std::size_t covered_keys = covering_first.size() - 1;
  auto at = [&](std::size_t i) { return Judged{result[i], *definitions[result[i].definition]}; };

  std::vector<std::uint32_t> run_first(result.size()), run_last(result.size());
  for (std::size_t first = 0, last = 0; first < result.size(); first = last) {
    last = run_at(result, first).last;
    for (std::size_t i = first; i < last; i++) {
      run_first[i] = static_cast<std::uint32_t>(first);
      run_last[i] = static_cast<std::uint32_t>(last);
    }
  }
  auto run_of = [&](std::size_t i) { return Run{run_first[i], run_last[i]}; };
  // An index of row i's table.
  auto position_of = [&](std::size_t i, Oid index) {
    const Run run = run_of(i);
    for (std::size_t j = run.first; j < run.last; j++)
      if (result[j].details.index == index)
        return j;
    throw std::out_of_range("pg_optimize: index_usage lost track of an index");
  };
  auto covering_of = [&](std::size_t c) { return Run{covering_first[c], covering_first[c + 1]}; };

  // Duplicates: identical definitions on one table. The keeper is the one a constraint needs, then the primary
  // key, an attached one, one that enforces something, an immediate one, a valid one, the oldest.
  auto keep_rank = [](const IndexUsage &u) {
    return std::make_tuple(!u.constraint_backed(), !u.details.primary, !u.attached(), !u.enforces_constraint(),
                           !u.immediate, !u.details.valid, u.details.index);
  };
  for (std::size_t i = 0; i < result.size(); i++) {
    std::size_t keep = i;
    const Run run = run_of(i);
    for (std::size_t j = run.first; j < run.last; j++)
      if (j != i && same_identity(at(j), at(i)) && keep_rank(result[j]) < keep_rank(result[keep]))
        keep = j;
    if (keep != i && may_drop_as_duplicate(at(i), at(keep)))
      result[i].duplicate_of = result[keep].details.index;
  }

  for (std::size_t i = 0; i < result.size(); i++) {
    IndexUsage &u = result[i];
    const Judged x = at(i);
    u.unused = u.activity.scans == 0 && !u.enforces_constraint() && !u.constraint_backed() && !u.attached();
    // Redundant: a strict leading prefix of another usable, non-partial btree index that stores its columns.
    if (may_be_redundant(x) && !OidIsValid(u.duplicate_of)) {
      const Run run = run_of(i);
      for (std::size_t other = run.first; other < run.last; other++)
        if (may_replace(x, at(other))) {
          u.redundant_with = result[other].details.index;
          break;
        }
    }
    if (const catalog::ClassRow *row = classes.find(u.details.index); row != nullptr && !u.details.partitioned) {
      const std::optional<std::int64_t> bloat = btree_bloat(*row, x.def, columns.columns_of(u.details.table));
      u.has_bloat = bloat.has_value();
      u.bloat = bloat.value_or(0);
    }
  }

  // The whole set of drops at once. An index is dropped for being invalid, unused, a duplicate or redundant; never
  // when attached to a partitioned index (the partitioned one carries the advice) or backing a constraint.
  auto droppable = [](const IndexUsage &u) {
    if (u.attached() || u.constraint_backed())
      return false;
    return !u.details.valid || OidIsValid(u.duplicate_of) || OidIsValid(u.redundant_with) || u.unused;
  };
  std::vector<bool> drop(result.size());
  for (std::size_t i = 0; i < result.size(); i++)
    drop[i] = droppable(result[i]);

  // Every foreign key keeps one covering index: when all are up for dropping, the one the others defer to stays.
  for (std::size_t c = 0; c < covered_keys; c++) {
    const Run fk = covering_of(c);
    if (!std::all_of(covering.begin() + fk.first, covering.begin() + fk.last, [&](std::size_t i) { return drop[i]; }))
      continue;
    const auto keep =
        std::min_element(covering.begin() + fk.first, covering.begin() + fk.last, [&](std::size_t a, std::size_t b) {
          const IndexUsage &x = result[a], &y = result[b];
          return std::make_tuple(!x.details.valid, OidIsValid(x.duplicate_of), OidIsValid(x.redundant_with), x.bytes,
                                 x.details.index) < std::make_tuple(!y.details.valid, OidIsValid(y.duplicate_of),
                                                                    OidIsValid(y.redundant_with), y.bytes,
                                                                    y.details.index);
        });
    IndexUsage &kept = result[*keep];
    drop[*keep] = false;
    kept.unused = false;
    kept.duplicate_of = InvalidOid;
    kept.redundant_with = InvalidOid;
    kept.serves_foreign_key = true;
  }
  for (std::size_t c = 0; c < covered_keys; c++) {
    const Run fk = covering_of(c);
    std::size_t left = 0, last_left = 0;
    for (std::size_t k = fk.first; k < fk.last; k++)
      if (!drop[covering[k]]) {
        left++;
        last_left = covering[k];
      }
    if (left == 1 && result[last_left].kept == core::KeptReason::None) {
      result[last_left].kept = core::KeptReason::OnlyIndexLeftForForeignKey;
      input.names_->kept_foreign_keys.emplace_back(result[last_left].details.index, static_cast<std::uint32_t>(c));
    }
  }
  std::sort(input.names_->kept_foreign_keys.begin(), input.names_->kept_foreign_keys.end());

  // A duplicate or redundant index goes only if what replaces it stays. When that one is dropped too (unused, say,
  // because the planner prefers the smaller index), look for another replacement, else keep this one: the lookup
  // keeps an index. Each round only takes drops back, so this ends.
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t i = 0; i < result.size(); i++) {
      IndexUsage &u = result[i];
      if (!drop[i])
        continue;
      const Run run = run_of(i);
      if (OidIsValid(u.duplicate_of) && drop[position_of(i, u.duplicate_of)]) {
        u.duplicate_of = InvalidOid;
        for (std::size_t other = run.first; other < run.last; other++)
          if (other != i && !drop[other] && same_identity(at(other), at(i)) &&
              may_drop_as_duplicate(at(i), at(other))) {
            u.duplicate_of = result[other].details.index;
            break;
          }
      }
      if (OidIsValid(u.redundant_with) && drop[position_of(i, u.redundant_with)]) {
        u.redundant_with = InvalidOid;
        for (std::size_t other = run.first; other < run.last; other++)
          if (!drop[other] && may_replace(at(i), at(other))) {
            u.redundant_with = result[other].details.index;
            break;
          }
      }
      if (!droppable(u)) {
        drop[i] = false;
        changed = true;
        if (u.kept == core::KeptReason::None)
          u.kept = core::KeptReason::ReplacementsDropped;
      }
    }
  }

  for (std::size_t i = 0; i < result.size(); i++) {
    IndexUsage &u = result[i];
    if (u.kept == core::KeptReason::None) {
      if (u.attached())
        u.kept = core::KeptReason::AttachedToPartitioned;
      else if (u.details.primary)
        u.kept = core::KeptReason::PrimaryKey;
      else if (u.constraint_backed())
        u.kept = core::KeptReason::ConstraintNeedsIt;
      else if (u.exclusion)
        u.kept = core::KeptReason::ExclusionConstraint;
      else if (u.replica_identity)
        u.kept = core::KeptReason::ReplicaIdentity;
      else if (u.details.unique)
        u.kept = core::KeptReason::EnforcesUniqueness;
      else if (u.serves_foreign_key)
        u.kept = core::KeptReason::OnlyIndexOfForeignKey;
    }
    if (drop[i]) {
      u.kept = core::KeptReason::None;
      u.finding = !u.details.valid               ? core::IndexFinding::DropInvalid
                  : OidIsValid(u.duplicate_of)   ? core::IndexFinding::DropDuplicate
                  : OidIsValid(u.redundant_with) ? core::IndexFinding::DropRedundant
                                                 : core::IndexFinding::DropUnused;
      continue;
    }
    u.unused = u.unused && !u.serves_foreign_key && u.kept == core::KeptReason::None;
    u.duplicate_of = InvalidOid;
    u.redundant_with = InvalidOid;
    if (u.details.valid && !u.details.partitioned && u.has_bloat && u.bloat >= kBloatReportBytes &&
        u.bloat * 2 >= u.bytes)
      u.finding = core::IndexFinding::Reindex;
  }

  // Biggest first.
  sort_rows(result, [](const IndexUsage &a, const IndexUsage &b) {
    return a.bytes != b.bytes ? a.bytes > b.bytes : a.details.index < b.details.index;
  });
  return IndexUsageRows{std::move(result), std::move(input.names_)};
}
} // namespace pgo::health

PGO_FUNCTION(pgo_index_usage) {
  using namespace pgo;
  const bool statistics_untouched = catalog::statistics_untouched_in_transaction();
  // Every index is sized: the database's directories are read on their own thread while the catalogs are.
  auto listing = catalog::DatabaseFiles::start_in_background(settings::measure_thread_count());
  // Indexes and their tables are all it looks at (the index of a TOAST table is skipped either way).
  const catalog::ClassCatalog classes = catalog::ClassCatalog::read(catalog::kTablesAndIndexes);
  const catalog::Inheritance inheritance = catalog::Inheritance::read();
  // Each index is taken into its compact row as it is read; no vector of the indexes' details is held. Each input
  // after that is read, used and freed before the next, so no two of the large ones are held at once.
  health::IndexUsageInput input(classes);
  input.reserve(catalog::reported_index_count(classes));
  catalog::read_index_details(classes, inheritance, [&](catalog::IndexDetails &&d) { input.add(d); });
  input.cover_user_foreign_keys();
  {
    // Only the indexes' statistics are kept (not those of the tables, TOAST tables and their indexes).
    const std::vector<Oid> scanned = input.scanned_indexes(inheritance);
    input.count_scans(inheritance, catalog::RelationStatistics::read(statistics_untouched, [&](Oid relation) {
                        return std::binary_search(scanned.begin(), scanned.end(), relation);
                      }));
  }
  {
    // Each index's own files: no index lists needed.
    catalog::RelationSizer sizer(classes);
    sizer.use_listing(std::move(listing));
    input.measure_sizes(inheritance, sizer);
  }
  health::IndexUsageRows rows;
  {
    const catalog::ColumnCatalog columns = catalog::ColumnCatalog::read(input.indexed_tables());
    rows = health::judge_index_usage(std::move(input), columns);
  }
  // The texts exist for one row at a time: the tuplestore copies them before the next row is built.
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
    out.add_optional(u.bloat_bytes(), &pg::ResultSet::add_int64);
    if (!u.has_finding())
      out.add_null();
    else
      out.add_text(u.recommendation(*rows.names));
    const std::string kept = u.kept_because(*rows.names);
    if (kept.empty())
      out.add_null();
    else
      out.add_text(kept);
    out.end_row();
  }
  return out.done();
}
