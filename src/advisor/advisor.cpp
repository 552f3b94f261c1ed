#include "advisor/advisor.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "advisor/candidates.hpp"
#include "advisor/hypothetical.hpp"
#include "advisor/replacement.hpp"
#include "advisor/subtransaction.hpp"
#include "catalog/names.hpp"
#include "core/error.hpp"
#include "core/units.hpp"
#include "health/recommendations.hpp"
#include "latency/summary.hpp"
#include "pg/fmgr_call.hpp"
#include "pg/guard.hpp"
#include "settings.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "postmaster/postmaster.h"
#include "utils/fmgrprotos.h"
#include "utils/resowner.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
}

namespace pgo::advisor {
namespace {

// A partial index is worth proposing when its filter keeps at most this share of the table.
constexpr double kPartialMaxShare = 0.25;
// Time to write one btree entry, in ms, for the write cost of a new index (GIN entries cost about three times more).
constexpr double kIndexEntryMs = 0.01;
constexpr double kSecondsPerDay = 86400;

struct Analysed {
  const WorkloadStatement *source = nullptr;
  ParsedStatement parsed;
  double cost_before = 0;
  std::set<Oid> tables;  // with a use a candidate may serve
  std::set<Oid> touched; // every table it reads or writes
  std::vector<Use> uses;
};

struct Candidate {
  Oid relid = InvalidOid;
  core::IndexKind kind = core::IndexKind::Btree;
  std::string method, definition; // definition: USING method (keys) [WHERE predicate]
  HypoIndex *hypo = nullptr;
  double share = 1; // of the table's rows in the index
  // The existing index it may replace (core::may_extend), InvalidOid if none, with its qualified name and key width.
  Oid replaceable = InvalidOid;
  std::string replaceable_name;
  double replaceable_width = 0;
};

// A candidate as the greedy choice weighs it: added beside the existing indexes, or replacing one.
struct Variant {
  std::size_t candidate = 0;
  Oid replaces = InvalidOid;
};

std::string joined(const std::vector<std::string> &parts, const char *separator) {
  std::string out;
  for (const std::string &p : parts)
    out += (out.empty() ? "" : separator) + p;
  return out;
}

std::string without_direction(const std::string &key) {
  const std::string desc = " DESC";
  return key.size() > desc.size() && key.compare(key.size() - desc.size(), desc.size(), desc) == 0
             ? key.substr(0, key.size() - desc.size())
             : key;
}

// The share of the table's rows a filter keeps, as the planner estimates it (from pg_stats); 1 when unknown.
double filter_share(const std::string &table, const std::string &predicate, double table_rows) {
  if (table_rows <= 0)
    return 1;
  double share = 1;
  const std::string sql = fmt::format("SELECT FROM {} WHERE {}", table, predicate);
  in_subtransaction([&] {
    const ParsedStatement parsed = parse_statement(sql);
    share = plan_statement(parsed, sql, NIL, false).rows / table_rows;
  });
  return std::clamp(share, 0.0, 1.0);
}

double table_rows(Oid relid) {
  return pg::guard([&] {
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    double rows = -1;
    if (HeapTupleIsValid(tuple)) {
      rows = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->reltuples;
      ReleaseSysCache(tuple);
    }
    return rows;
  });
}

// Candidates for one statement's uses of one table.
void candidates_for_table(Oid relid, const std::vector<Use> &uses, std::vector<Candidate> &out) {
  const std::optional<std::string> table = catalog::qualified_name(relid);
  if (!table)
    return;
  std::vector<core::UsedColumn> columns;
  std::vector<std::string> filters, filter_keys, gin_keys;
  for (const Use &u : uses) {
    switch (u.kind) {
    case UseKind::Equality:
      columns.push_back({u.key, core::ColumnUse::Equality, false, u.distinct});
      break;
    case UseKind::Range:
      columns.push_back({u.key, core::ColumnUse::Range, false, u.distinct});
      break;
    case UseKind::OrderBy:
      columns.push_back({u.key, core::ColumnUse::OrderBy, u.descending, u.distinct});
      break;
    case UseKind::Gin:
      if (std::find(gin_keys.begin(), gin_keys.end(), u.key) == gin_keys.end())
        gin_keys.push_back(u.key);
      break;
    case UseKind::Fixed:
      if (std::find(filters.begin(), filters.end(), u.predicate) == filters.end())
        filters.push_back(u.predicate);
      filter_keys.push_back(u.key);
      break;
    }
  }
  auto has_expression = [](const std::vector<std::string> &keys) {
    return std::any_of(keys.begin(), keys.end(), [](const std::string &k) { return !k.empty() && k[0] == '('; });
  };
  auto add = [&](core::IndexKind kind, const char *method, const std::vector<std::string> &keys,
                 const std::string &predicate, double share) {
    Candidate c;
    c.relid = relid;
    c.kind = kind;
    c.method = method;
    c.definition =
        fmt::format("USING {} ({}){}", method, joined(keys, ", "), predicate.empty() ? "" : " WHERE " + predicate);
    c.share = share;
    out.push_back(std::move(c));
  };

  const std::vector<std::vector<std::string>> orders = core::btree_key_orders(columns, settings::advisor_max_columns);
  for (const std::vector<std::string> &keys : orders)
    add(has_expression(keys) ? core::IndexKind::Expression : core::IndexKind::Btree, "btree", keys, "", 1);
  if (!filters.empty()) {
    const std::string predicate = joined(filters, " AND ");
    const double share = filter_share(*table, predicate, table_rows(relid));
    if (share < kPartialMaxShare) {
      std::vector<std::vector<std::string>> partial_orders;
      for (const std::vector<std::string> &keys : orders) {
        std::vector<std::string> rest;
        for (const std::string &k : keys)
          if (std::find(filter_keys.begin(), filter_keys.end(), without_direction(k)) == filter_keys.end())
            rest.push_back(k);
        partial_orders.push_back(rest.empty() ? keys : rest);
      }
      if (partial_orders.empty())
        partial_orders.push_back({filter_keys.front()});
      for (const std::vector<std::string> &keys : partial_orders)
        add(core::IndexKind::Partial, "btree", keys, predicate, share);
    }
  }
  for (const std::string &key : gin_keys)
    add(key[0] == '(' ? core::IndexKind::Expression : core::IndexKind::Gin, "gin", {key}, "", 1);
}

struct TableWrites {
  double per_day = 0;
  int indexes = 0;
};

TableWrites table_writes(Oid relid, double window_days) {
  TableWrites w;
  const Datum oid = ObjectIdGetDatum(relid);
  const double entries = static_cast<double>(pg::call_int64(pg_stat_get_tuples_inserted, oid) +
                                             pg::call_int64(pg_stat_get_tuples_updated, oid) -
                                             pg::call_int64(pg_stat_get_tuples_hot_updated, oid));
  w.per_day = std::max(entries, 0.0) / window_days;
  w.indexes = static_cast<int>(existing_shapes(relid).size());
  return w;
}

// Days the table statistics cover: since this database's statistics were reset, or the server started.
double statistics_days() {
  const std::optional<TimestampTz> reset =
      pg::call_timestamp(pg_stat_get_db_stat_reset_time, ObjectIdGetDatum(MyDatabaseId));
  const TimestampTz since = reset.value_or(PgStartTime);
  const double seconds = static_cast<double>(GetCurrentTimestamp() - since) / USECS_PER_SEC;
  return std::max(seconds, core::kMinObservedSeconds) / kSecondsPerDay;
}

// The candidate's costs with the index it may replace hidden, on every statement touching its table (< 0 for the
// others); nullopt when one of them fails to plan or gets costlier than with the existing indexes.
std::optional<core::AdviceCandidate> replacement_cost(const Candidate &c, const std::vector<Analysed> &analysed) {
  core::AdviceCandidate cost;
  cost.cost_after.assign(analysed.size(), -1);
  std::vector<double> before(analysed.size(), -1);
  List *hidden = pg::guard([&] { return list_make1_oid(c.replaceable); });
  for (std::size_t s = 0; s < analysed.size(); ++s) {
    if (!analysed[s].touched.count(c.relid))
      continue;
    before[s] = analysed[s].cost_before;
    const bool ok = in_subtransaction([&] {
      cost.cost_after[s] =
          plan_statement(analysed[s].parsed, analysed[s].source->text, list_make1(c.hypo), false, hidden).cost;
    });
    if (!ok)
      return std::nullopt;
  }
  if (!core::no_statement_worse(before, cost.cost_after))
    return std::nullopt;
  return cost;
}

} // namespace

WorkloadAdvice advise(const std::vector<WorkloadStatement> &statements, bool check_functions, bool weigh_writes) {
  WorkloadAdvice result;
  std::vector<Analysed> analysed;
  for (const WorkloadStatement &s : statements) {
    Analysed a;
    a.source = &s;
    const bool ok = in_subtransaction([&] {
      a.parsed = parse_statement(s.text);
      if (OidIsValid(unreadable_table(a.parsed)) || (check_functions && !non_catalog_function(a.parsed).empty())) {
        a.parsed.query = nullptr;
        return;
      }
      a.cost_before = plan_statement(a.parsed, s.text, NIL, false).cost;
      a.uses = statement_uses(a.parsed);
      for (Oid relid : referenced_tables(a.parsed))
        a.touched.insert(relid);
    });
    if (!ok || a.parsed.query == nullptr) {
      result.statements_skipped++;
      continue;
    }
    for (const Use &u : a.uses)
      a.tables.insert(u.relid);
    analysed.push_back(std::move(a));
  }
  result.statements_analysed = static_cast<int>(analysed.size());

  // Candidates, each definition once, none an existing index covers.
  std::vector<Candidate> proposed;
  for (const Analysed &a : analysed) {
    std::map<Oid, std::vector<Use>> by_table;
    for (const Use &u : a.uses)
      by_table[u.relid].push_back(u);
    for (const auto &[relid, uses] : by_table)
      candidates_for_table(relid, uses, proposed);
  }
  std::map<Oid, std::vector<core::IndexKeyShape>> existing;
  std::map<Oid, std::vector<ExistingIndex>> replaceable;
  std::set<std::pair<Oid, std::string>> seen;
  std::vector<Candidate> candidates;
  for (Candidate &c : proposed) {
    if (!seen.insert({c.relid, c.definition}).second)
      continue;
    const std::string sql =
        fmt::format("CREATE INDEX ON {} {}", catalog::qualified_name(c.relid).value_or(""), c.definition);
    bool covered = false;
    const bool ok = in_subtransaction([&] {
      c.hypo = pg::guard([&] { return hypothetical_index(sql.c_str(), static_cast<int>(candidates.size()) + 1); });
      if (!existing.count(c.relid))
        existing[c.relid] = existing_shapes(c.relid);
      const core::IndexKeyShape shape = shape_of(c.hypo);
      for (const core::IndexKeyShape &e : existing[c.relid])
        covered = covered || core::covered_by(shape, e);
      if (covered)
        return;
      if (!replaceable.count(c.relid))
        replaceable[c.relid] = indexes_of(c.relid);
      std::vector<core::ReplaceableIndex> facts;
      for (const ExistingIndex &e : replaceable[c.relid])
        facts.push_back(e.facts);
      if (const int i = core::index_to_extend(facts, facts_of(c.hypo)); i >= 0) {
        const ExistingIndex &e = replaceable[c.relid][static_cast<std::size_t>(i)];
        if (const std::optional<std::string> name = catalog::qualified_name(e.oid)) {
          c.replaceable = e.oid;
          c.replaceable_name = *name;
          c.replaceable_width = e.key_width;
        }
      }
    });
    if (ok && !covered)
      candidates.push_back(std::move(c));
  }

  // Each candidate alone, on every statement that reads its table; then, for one that may replace an existing
  // index, on every statement touching the table with that index hidden: the replacement is weighed only when none
  // of them gets costlier than with the existing indexes (beyond core::kReplaceTolerance).
  std::vector<core::AdviceStatement> workload;
  for (const Analysed &a : analysed)
    workload.push_back({a.cost_before, a.source->calls_per_day, a.source->mean_ms});
  const double days = statistics_days();
  std::map<Oid, TableWrites> writes;
  std::vector<core::AdviceCandidate> costs;
  std::vector<Variant> variants;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const Candidate &c = candidates[i];
    core::AdviceCandidate cost;
    cost.definition = static_cast<int>(i);
    cost.cost_after.assign(analysed.size(), -1);
    for (std::size_t s = 0; s < analysed.size(); ++s) {
      if (!analysed[s].tables.count(c.relid))
        continue;
      in_subtransaction([&] {
        cost.cost_after[s] =
            plan_statement(analysed[s].parsed, analysed[s].source->text, list_make1(c.hypo), false).cost;
      });
    }
    if (!writes.count(c.relid))
      writes[c.relid] = table_writes(c.relid, days);
    const double entry_ms_per_day =
        !weigh_writes ? 0 : writes[c.relid].per_day * kIndexEntryMs * (c.method == "gin" ? 3.0 : 1.0);
    cost.write_cost_ms_per_day = entry_ms_per_day;
    costs.push_back(cost);
    variants.push_back({i, InvalidOid});
    if (!OidIsValid(c.replaceable))
      continue;
    if (std::optional<core::AdviceCandidate> replacing = replacement_cost(c, analysed)) {
      replacing->definition = static_cast<int>(i);
      replacing->replaces = c.replaceable;
      replacing->write_cost_ms_per_day =
          entry_ms_per_day * core::replacement_write_share(c.replaceable_width, c.hypo->key_width);
      costs.push_back(std::move(*replacing));
      variants.push_back({i, c.replaceable});
    }
  }

  for (const core::AdviceChoice &choice :
       core::choose_indexes(workload, costs, static_cast<double>(settings::advisor_min_saving_pct))) {
    const Variant &v = variants[static_cast<std::size_t>(choice.candidate)];
    const Candidate &c = candidates[v.candidate];
    Advice a;
    a.relid = c.relid;
    a.table = catalog::qualified_name(c.relid).value_or("");
    a.definition = c.definition;
    a.kind = c.kind;
    for (int s : choice.statements)
      a.query_ids.push_back(analysed[static_cast<std::size_t>(s)].source->query_id);
    a.cost_before = choice.cost_before;
    a.cost_after = choice.cost_after;
    a.saved_ms_per_day = choice.saved_ms_per_day;
    const double pages =
        pg::guard([&] { return hypothetical_pages(c.hypo, std::max(table_rows(c.relid), 0.0), c.share); });
    a.estimated_bytes = static_cast<std::int64_t>(pages) * BLCKSZ;
    const TableWrites &w = writes[c.relid];
    a.writes_per_day = w.per_day;
    a.write_overhead_pct = 100.0 / (w.indexes + 1);
    a.sql = fmt::format("CREATE INDEX CONCURRENTLY ON {} {};", a.table, c.definition);
    if (OidIsValid(v.replaces)) {
      // No entry more per row, only the extra key bytes, on the indexes written today.
      a.replaces = v.replaces;
      a.replaces_name = c.replaceable_name;
      a.write_overhead_pct =
          100.0 * core::replacement_write_share(c.replaceable_width, c.hypo->key_width) / std::max(w.indexes, 1);
      a.sql += fmt::format("\nDROP INDEX CONCURRENTLY {};", c.replaceable_name);
    }
    result.advice.push_back(std::move(a));
  }
  return result;
}

std::vector<WorkloadStatement> tracked_workload() {
  std::vector<WorkloadStatement> out;
  const TimestampTz now = pg::guard([] { return GetCurrentTimestamp(); });
  const latency::Snapshot snap = latency::snapshot(latency::Queries::All);
  const double observed_seconds = static_cast<double>(now - snap.since) / USECS_PER_SEC;
  for (const latency::QuerySummary &q : latency::query_summaries(snap)) {
    if (q.database != MyDatabaseId || q.calls < static_cast<std::uint64_t>(settings::advisor_min_calls) ||
        q.query == "<insufficient privilege>" || q.query.empty())
      continue;
    WorkloadStatement s;
    s.query_id = q.query_id;
    s.text = q.query;
    s.calls = static_cast<double>(q.calls);
    s.mean_ms = q.mean_ms;
    s.calls_per_day = core::calls_per_day(s.calls, observed_seconds);
    out.push_back(std::move(s));
  }
  return out;
}

void add_recommendations(std::vector<health::Recommendation> &out) {
  constexpr std::size_t kMaxRecommended = 3;
  if (!latency::shared_memory_ready())
    return;
  const WorkloadAdvice advice = advise(tracked_workload(), true, true);
  for (std::size_t i = 0; i < advice.advice.size() && i < kMaxRecommended; ++i) {
    const Advice &a = advice.advice[i];
    const std::string replacing = OidIsValid(a.replaces) ? ", replacing " + a.replaces_name : "";
    out.push_back(
        {2, "create_index", a.table,
         fmt::format("{} index for {} statement shape{}{}: planner cost {:.0f} -> {:.0f}, about {:.0f} ms "
                     "saved per day, {} (optimize.index_advice)",
                     core::kind_name(a.kind), a.query_ids.size(), a.query_ids.size() == 1 ? "" : "s", replacing,
                     a.cost_before, a.cost_after, a.saved_ms_per_day, core::pretty_bytes(a.estimated_bytes)),
         a.sql});
  }
}

} // namespace pgo::advisor
