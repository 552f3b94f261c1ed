// N+1 detection for one backend: runs of the same statement shape (query id), each execution starting within a gap
// of the end of the previous one. A run that reaches the threshold is one N+1 event; every further execution of the
// run adds to it.
//
// PostgreSQL-free and clock-free: times are passed in (microseconds of any monotonic clock). Fixed size, no
// allocation: it remembers the most recently seen kEntries query ids and forgets the least recently seen one.
#pragma once

#include "core/postgres_free.hpp"

#include <cstddef>
#include <cstdint>

namespace pgo::core {

struct RunStep {
  bool new_event = false;       // this execution made the run reach the threshold
  bool in_event = false;        // the run is at or past the threshold (new_event included)
  std::uint32_t run_length = 0; // executions in the run so far, this one included
  // What this execution adds to the event statistics when in_event: on the event's first execution, the whole run
  // so far (threshold executions and their time), after that just this one.
  std::uint64_t add_calls = 0;
  std::uint64_t add_time_us = 0;
};

class RunTracker {
public:
  static constexpr std::size_t kEntries = 64;

  // One execution of query_id that started at start_us and ended at end_us (end_us >= start_us).
  RunStep observe(std::uint64_t query_id, std::uint64_t start_us, std::uint64_t end_us, std::uint64_t gap_us,
                  std::uint32_t threshold);
  void clear();

private:
  struct Entry {
    std::uint64_t query_id = 0;
    std::uint64_t last_end_us = 0;
    std::uint64_t run_time_us = 0;
    std::uint64_t last_used = 0;
    std::uint32_t run_length = 0;
  };
  Entry entries_[kEntries];
  std::uint64_t tick_ = 0;
};

} // namespace pgo::core
