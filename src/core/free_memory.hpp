// Giving the heap's free memory back to the system, between the phases of a call over a big catalog.
//
// A phase that frees large arrays (a catalog's statistics, a pass's rows) leaves their memory free inside the heap:
// malloc keeps it for later allocations, and the backend's resident memory stays as high as if the arrays were still
// held. The next phase's arrays, bigger blocks, often cannot reuse it and take fresh pages on top. Handing the free
// pages back at the phase boundary keeps the peak at what the phases hold at once.
#pragma once

#include "core/postgres_free.hpp"

namespace pgo::core {

// Returns the free pages of every malloc arena to the system (glibc's malloc_trim); nothing elsewhere. Costs a walk
// over the free lists: call it between phases, not per row.
void return_free_memory();

} // namespace pgo::core
