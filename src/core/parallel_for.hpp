// Runs one piece of work per item on a few threads: the caller's and threads started for the call.
//
// For system calls a backend makes by the hundred thousand (a stat() of every relation file of a database), where the
// kernel's path lookup is the whole cost and a second core halves it. The work runs outside PostgreSQL: it must call
// nothing of PostgreSQL's (no palloc, no ereport, no syscache), only the C library and the kernel, and touch only the
// item it is given. The started threads block every signal, so PostgreSQL's handlers (query cancel, latches,
// timeouts) keep running on the backend's own thread; the caller's signal mask is as it was when this returns.
#pragma once

#include "core/postgres_free.hpp"

#include <cstddef>
#include <functional>

namespace pgo::core {

// Calls work(i) once for every i in [0, count), on up to `threads` threads (the caller's one of them; 0 counts as 1),
// and returns when every call has returned, with the number of threads that ran. Items are handed out in blocks, so
// a slow item does not idle the other threads. When a thread cannot be started the others do its share. An exception
// thrown by work stops the handing out; it is rethrown here once every thread has stopped (the first one thrown).
unsigned parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t)> &work);

} // namespace pgo::core
