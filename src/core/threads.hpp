// Threads for work made of system calls, in a backend.
//
// For the calls a backend makes by the hundred thousand on a big catalog (a readdir() of the database's directories, a
// stat() of every relation file), where the kernel is the whole cost and a second core halves it or hides it behind
// the catalog scans. The work runs outside PostgreSQL: it must call nothing of PostgreSQL's (no palloc, no ereport, no
// syscache), only the C and C++ libraries and the kernel, and touch only its own data. The started threads block
// every signal, so PostgreSQL's handlers (query cancel, latches, timeouts) keep running on the backend's own thread;
// the caller's signal mask is as it was. Each thread has stopped before the call that started it returns or throws,
// so no thread outlives the work's data, and none runs when an ERROR unwinds to PostgreSQL.
#pragma once

#include "core/postgres_free.hpp"

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace pgo::core {

// Calls work(i) once for every i in [0, count), on up to `threads` threads (the caller's one of them; 0 counts as 1),
// and returns when every call has returned, with the number of threads that ran. Items are handed out in blocks, so
// a slow item does not idle the other threads. When a thread cannot be started the others do its share. An exception
// thrown by work stops the handing out; it is rethrown here once every thread has stopped (the first one thrown).
unsigned parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t)> &work);

// The items of parallel_for, [0, count) in blocks, for a caller with other work to do first: threads - 1 threads
// start taking blocks at construction; finish() makes the caller take blocks too until none is left, waits for the
// threads and rethrows the first exception work threw. The destructor, and stop_and_join(), stop the handing out and
// wait for the threads (a block being worked on is finished; what was not handed out is never done). The work must
// stay valid until then; it is held by the object.
class SharedWork {
public:
  SharedWork(std::size_t count, unsigned threads, std::function<void(std::size_t)> work);
  ~SharedWork();
  SharedWork(const SharedWork &) = delete;
  SharedWork &operator=(const SharedWork &) = delete;

  void finish();
  void stop_and_join() noexcept;
  // The threads that were started (0 when none could be: finish() then does all the work).
  unsigned started() const { return static_cast<unsigned>(threads_.size()); }

private:
  struct State;
  std::function<void(std::size_t)> work_;
  std::unique_ptr<State> state_;
  std::vector<std::thread> threads_;
};

// One piece of work on a thread started for it, while the caller goes on. wait() returns once it is done and rethrows
// what it threw; the destructor waits too (dropping a failure). When no thread can be started the work runs in
// wait(), on the caller's thread, or not at all if nobody waits.
class BackgroundTask {
public:
  explicit BackgroundTask(std::function<void()> work);
  ~BackgroundTask();
  BackgroundTask(const BackgroundTask &) = delete;
  BackgroundTask &operator=(const BackgroundTask &) = delete;

  void wait();
  // Waits for a started thread only (never runs the work here) and keeps its failure for wait(): for a backend's
  // exit, when nobody wants the result.
  void join() noexcept;
  bool on_own_thread() const { return thread_.joinable() || ran_on_own_thread_; }

private:
  void run() noexcept;

  std::function<void()> work_;
  std::thread thread_;
  std::exception_ptr failure_;
  bool done_ = false;
  bool ran_on_own_thread_ = false;
};

} // namespace pgo::core
