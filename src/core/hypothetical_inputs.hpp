// The planner inputs of hypothetical indexes given by hand instead of estimated: the value of the developer setting
// pg_optimize.hypothetical_index_inputs (src/advisor/hypothetical.cpp). It exists so that bench/run-index-advisor can
// plan with exactly the pages and tree height another tool (HypoPG) gives the same hypothetical index, and so show
// that the costs then agree: any remaining difference is in the estimates, not in how the index reaches the planner.
//
// The text has one entry per hypothetical index of a planning call, in the order of the definitions, separated by
// commas: "PAGES/TREE_HEIGHT" or "PAGES/TREE_HEIGHT/TUPLES" (a tree height of -1: unknown, as for a non-btree index).
// An empty entry keeps pg_optimize's estimates for that index. Example: "6406/-1,,2750/2/120000".
#pragma once

#include "core/postgres_free.hpp"

#include <string_view>
#include <vector>

namespace pgo::core {

struct IndexInputs {
  bool given = false;  // false: pg_optimize's own estimates
  double pages = 0;    // 0 .. 4294967295 (a BlockNumber)
  int tree_height = 0; // -1 .. kMaxTreeHeight
  double tuples = -1;  // negative: pg_optimize's own estimate
};

inline constexpr int kMaxTreeHeight = 32;
inline constexpr std::size_t kMaxIndexInputs = 1000;

// Parses the setting's text; throws pgo::Error (SQLSTATE 22023) naming the entry at fault.
std::vector<IndexInputs> parse_index_inputs(std::string_view text);

} // namespace pgo::core
