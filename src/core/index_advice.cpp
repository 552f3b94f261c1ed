#include "core/index_advice.hpp"

#include <algorithm>
#include <cmath>

namespace pgo::core {

namespace {

bool contains(const std::vector<std::string> &keys, const std::string &key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

} // namespace

std::vector<std::vector<std::string>> btree_key_orders(const std::vector<UsedColumn> &columns, int max_columns) {
  std::vector<const UsedColumn *> equality;
  const UsedColumn *range = nullptr;
  std::vector<const UsedColumn *> more_ranges; // range columns after the first
  std::vector<const UsedColumn *> order_by;
  for (const UsedColumn &c : columns) {
    if (c.use == ColumnUse::Equality)
      equality.push_back(&c);
    else if (c.use == ColumnUse::Range && range == nullptr)
      range = &c;
    else if (c.use == ColumnUse::Range)
      more_ranges.push_back(&c);
    else if (c.use == ColumnUse::OrderBy)
      order_by.push_back(&c);
  }
  // Most distinct values first: the leading column narrows the scan most. Ties keep the statement's order.
  std::stable_sort(equality.begin(), equality.end(),
                   [](const UsedColumn *a, const UsedColumn *b) { return a->distinct > b->distinct; });
  std::vector<std::string> lead;
  for (const UsedColumn *c : equality)
    if (!contains(lead, c->key))
      lead.push_back(c->key);

  auto finish = [&](std::vector<std::string> keys) {
    if (max_columns > 0 && static_cast<int>(keys.size()) > max_columns)
      keys.resize(static_cast<std::size_t>(max_columns));
    return keys;
  };
  auto with_order_by = [&](std::vector<std::string> keys) {
    for (const UsedColumn *c : order_by) {
      if (contains(lead, c->key))
        continue; // an equality column is constant for the scan: it does not break the order
      const std::string key = c->key + (c->descending ? " DESC" : "");
      if (!contains(keys, key))
        keys.push_back(key);
    }
    return keys;
  };

  std::vector<std::vector<std::string>> out;
  auto add = [&](std::vector<std::string> keys) {
    keys = finish(std::move(keys));
    if (!keys.empty() && std::find(out.begin(), out.end(), keys) == out.end())
      out.push_back(std::move(keys));
  };
  const bool order_starts_with_range = range != nullptr && !order_by.empty() && order_by.front()->key == range->key;
  if (range != nullptr && !contains(lead, range->key)) {
    if (order_starts_with_range) {
      add(with_order_by(lead));
    } else {
      std::vector<std::string> keys = lead;
      keys.push_back(range->key);
      add(keys);
      // Only the first range bounds the scan, but the others, as later keys, filter in the index before the table
      // is read (latitude and longitude in a box): a second candidate, for the planner to price.
      for (const UsedColumn *c : more_ranges)
        if (!contains(keys, c->key) && !contains(lead, c->key))
          keys.push_back(c->key);
      add(keys);
      if (!order_by.empty())
        add(with_order_by(lead));
    }
  } else if (!order_by.empty()) {
    add(with_order_by(lead));
  } else {
    add(lead);
  }
  return out;
}

const char *kind_name(IndexKind kind) {
  switch (kind) {
  case IndexKind::Btree:
    return "btree";
  case IndexKind::Partial:
    return "partial";
  case IndexKind::Gin:
    return "gin";
  case IndexKind::Expression:
    return "expression";
  }
  return "btree";
}

namespace {

// "col DESC" and "col" are the same key for coverage: a btree is scanned both ways.
std::string without_direction(const std::string &key) {
  const std::string desc = " DESC";
  if (key.size() > desc.size() && key.compare(key.size() - desc.size(), desc.size(), desc) == 0)
    return key.substr(0, key.size() - desc.size());
  return key;
}

} // namespace

bool covered_by(const IndexKeyShape &candidate, const IndexKeyShape &existing) {
  if (candidate.access_method != existing.access_method || candidate.predicate != existing.predicate)
    return false;
  if (candidate.keys.size() > existing.keys.size())
    return false;
  if (candidate.access_method == "gin") {
    for (const std::string &key : candidate.keys)
      if (!contains(existing.keys, key))
        return false;
    return true;
  }
  for (std::size_t i = 0; i < candidate.keys.size(); ++i)
    if (without_direction(candidate.keys[i]) != without_direction(existing.keys[i]))
      return false;
  return true;
}

bool may_extend(const ReplaceableIndex &existing, const ReplaceableIndex &candidate) {
  // index_usage's may_be_redundant: what the existing index is.
  if (!existing.valid || existing.access_method != "btree" || existing.unique || existing.primary ||
      existing.exclusion || existing.replica_identity || existing.constraint_backed || existing.partial ||
      existing.attached)
    return false;
  // may_replace: what the candidate is, the keys a strict leading prefix, every stored column stored again.
  if (!candidate.valid || candidate.partial || candidate.access_method != existing.access_method ||
      existing.keys.empty() || existing.keys.size() >= candidate.keys.size())
    return false;
  for (std::size_t i = 0; i < existing.keys.size(); ++i)
    if (existing.keys[i].column == 0 || !(existing.keys[i] == candidate.keys[i]))
      return false;
  auto stored_by_candidate = [&](int column) {
    return std::any_of(candidate.keys.begin(), candidate.keys.end(),
                       [&](const KeyColumn &k) { return k.column == column; }) ||
           std::find(candidate.include_columns.begin(), candidate.include_columns.end(), column) !=
               candidate.include_columns.end();
  };
  return std::all_of(existing.include_columns.begin(), existing.include_columns.end(), stored_by_candidate);
}

int index_to_extend(const std::vector<ReplaceableIndex> &existing, const ReplaceableIndex &candidate) {
  int best = -1;
  for (std::size_t i = 0; i < existing.size(); ++i)
    if (may_extend(existing[i], candidate) &&
        (best < 0 || existing[i].keys.size() > existing[static_cast<std::size_t>(best)].keys.size()))
      best = static_cast<int>(i);
  return best;
}

bool no_statement_worse(const std::vector<double> &before, const std::vector<double> &after) {
  for (std::size_t s = 0; s < before.size() && s < after.size(); ++s)
    if (after[s] >= 0 && after[s] > before[s] * (1 + kReplaceTolerance))
      return false;
  return true;
}

std::int64_t IndexSize::bytes() const { return static_cast<std::int64_t>(std::ceil(pages)) * 8192; }

namespace {

constexpr double kPageHeader = 24, kBtreeSpecial = 16, kIndexTupleHeader = 8, kLinePointer = 4, kHeapTidBytes = 6;

double maxalign(double bytes) { return std::ceil(bytes / 8.0) * 8.0; }

} // namespace

IndexSize estimate_btree_size(double tuples, double key_width, int fillfactor, int block_size, double rows_per_key) {
  IndexSize size;
  const double usable = static_cast<double>(block_size) - kPageHeader - kBtreeSpecial;
  const double entry = maxalign(kIndexTupleHeader + std::max(key_width, 1.0)) + kLinePointer;
  // Leaves: with deduplication, the rows of one key share a posting list tuple (6 bytes a row), which a build caps
  // at half the largest tuple a page takes (a third of a page).
  double leaf_bytes_per_row = entry;
  if (rows_per_key >= 2) {
    const double per_posting =
        std::max(1.0, std::floor((usable / 3 / 2 - kIndexTupleHeader - std::max(key_width, 1.0)) / kHeapTidBytes));
    leaf_bytes_per_row = std::ceil(rows_per_key / per_posting) * entry / rows_per_key + kHeapTidBytes;
  }
  const double leaf_fill = std::clamp(fillfactor, 10, 100) / 100.0;
  const double per_leaf = std::max(1.0, std::floor(usable * leaf_fill / leaf_bytes_per_row));
  // Inner pages are written 70% full by a build and hold one downlink per child.
  const double fanout = std::max(2.0, std::floor(usable * 0.70 / entry));
  double level = std::max(1.0, std::ceil(std::max(tuples, 0.0) / per_leaf));
  double pages = level;
  int height = 0;
  while (level > 1) {
    level = std::ceil(level / fanout);
    pages += level;
    ++height;
  }
  size.pages = pages + 1; // metapage
  size.tree_height = height;
  return size;
}

double replacement_write_share(double existing_key_width, double candidate_key_width) {
  const double extra = std::max(candidate_key_width - existing_key_width, 0.0);
  return extra / (kIndexTupleHeader + kLinePointer + std::max(candidate_key_width, 1.0));
}

double calls_per_day(double calls, double observed_seconds) {
  return std::max(calls, 0.0) * 86400.0 / std::max(observed_seconds, kMinObservedSeconds);
}

std::vector<AdviceChoice> choose_indexes(const std::vector<AdviceStatement> &statements,
                                         const std::vector<AdviceCandidate> &candidates, double min_saving_pct,
                                         int max_choices) {
  std::vector<double> current(statements.size());
  for (std::size_t s = 0; s < statements.size(); ++s)
    current[s] = statements[s].cost_before;
  std::vector<bool> taken(candidates.size(), false);
  std::vector<AdviceChoice> out;

  // What candidate c would still add: the statements it makes cheaper than now by at least min_saving_pct of their
  // original cost, and the time that saves per day.
  auto evaluate = [&](std::size_t c) {
    AdviceChoice choice;
    choice.candidate = static_cast<int>(c);
    for (std::size_t s = 0; s < statements.size() && s < candidates[c].cost_after.size(); ++s) {
      const double after = candidates[c].cost_after[s];
      const AdviceStatement &st = statements[s];
      if (after < 0 || st.cost_before <= 0 || after >= current[s])
        continue;
      if ((current[s] - after) < st.cost_before * min_saving_pct / 100.0)
        continue;
      choice.statements.push_back(static_cast<int>(s));
      choice.cost_before += current[s];
      choice.cost_after += after;
      // The measured time shrinks in proportion to the planner's cost.
      choice.saved_ms_per_day += st.calls_per_day * st.mean_ms * (current[s] - after) / st.cost_before;
    }
    return choice;
  };

  while (static_cast<int>(out.size()) < max_choices) {
    std::vector<AdviceChoice> choices(candidates.size());
    std::vector<double> net(candidates.size(), 0);
    std::vector<bool> viable(candidates.size(), false);
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      if (taken[c])
        continue;
      choices[c] = evaluate(c);
      net[c] = choices[c].saved_ms_per_day - candidates[c].write_cost_ms_per_day;
      viable[c] = !choices[c].statements.empty() && net[c] > 0;
    }
    // Candidate c adds an index while a viable alternative of it replaces one.
    auto replacement_open = [&](std::size_t c) {
      if (candidates[c].replaces != 0 || candidates[c].definition < 0)
        return false;
      for (std::size_t d = 0; d < candidates.size(); ++d)
        if (d != c && viable[d] && candidates[d].definition == candidates[c].definition && candidates[d].replaces != 0)
          return true;
      return false;
    };
    AdviceChoice best;
    double best_net = 0;
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      if (!viable[c] || net[c] <= best_net || replacement_open(c))
        continue;
      best_net = net[c];
      best = std::move(choices[c]);
    }
    if (best.candidate < 0)
      break;
    const AdviceCandidate &chosen = candidates[static_cast<std::size_t>(best.candidate)];
    for (std::size_t c = 0; c < candidates.size(); ++c)
      if ((chosen.definition >= 0 && candidates[c].definition == chosen.definition) ||
          (chosen.replaces != 0 && candidates[c].replaces == chosen.replaces))
        taken[c] = true;
    taken[static_cast<std::size_t>(best.candidate)] = true;
    for (int s : best.statements)
      current[static_cast<std::size_t>(s)] =
          candidates[static_cast<std::size_t>(best.candidate)].cost_after[static_cast<std::size_t>(s)];
    out.push_back(std::move(best));
  }
  return out;
}

} // namespace pgo::core
