#include "core/n_plus_one.hpp"

namespace pgo::core {

RunStep RunTracker::observe(std::uint64_t query_id, std::uint64_t start_us, std::uint64_t end_us, std::uint64_t gap_us,
                            std::uint32_t threshold) {
  if (end_us < start_us)
    end_us = start_us;
  const std::uint64_t duration = end_us - start_us;
  Entry *entry = nullptr;
  Entry *victim = &entries_[0];
  for (Entry &e : entries_) {
    if (e.run_length != 0 && e.query_id == query_id) {
      entry = &e;
      break;
    }
    if (e.run_length == 0 || (victim->run_length != 0 && e.last_used < victim->last_used))
      victim = &e; // an empty entry, else the least recently used
  }
  tick_++;
  if (entry != nullptr && start_us <= entry->last_end_us + gap_us) {
    entry->run_length++;
    entry->run_time_us += duration;
  } else {
    if (entry == nullptr)
      entry = victim;
    entry->query_id = query_id;
    entry->run_length = 1;
    entry->run_time_us = duration;
  }
  entry->last_end_us = end_us;
  entry->last_used = tick_;

  RunStep step;
  step.run_length = entry->run_length;
  if (threshold < 1)
    threshold = 1;
  if (entry->run_length == threshold) {
    step.new_event = step.in_event = true;
    step.add_calls = entry->run_length;
    step.add_time_us = entry->run_time_us;
  } else if (entry->run_length > threshold) {
    step.in_event = true;
    step.add_calls = 1;
    step.add_time_us = duration;
  }
  return step;
}

void RunTracker::clear() {
  for (Entry &e : entries_)
    e = Entry{};
  tick_ = 0;
}

} // namespace pgo::core
