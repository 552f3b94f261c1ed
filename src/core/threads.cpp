#include "core/threads.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <pthread.h>
#include <signal.h>
#include <thread>
#include <utility>
#include <vector>

namespace pgo::core {
namespace {

constexpr std::size_t kBlock = 512; // items a thread takes at a time: a few hundred microseconds of stat()

struct Shared {
  std::size_t count;
  const std::function<void(std::size_t)> &work;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex failure_mutex;
  std::exception_ptr failure;

  void run() noexcept {
    try {
      while (!stop.load(std::memory_order_relaxed)) {
        const std::size_t first = next.fetch_add(kBlock, std::memory_order_relaxed);
        if (first >= count)
          return;
        const std::size_t last = std::min(count, first + kBlock);
        for (std::size_t i = first; i < last; i++)
          work(i);
      }
    } catch (...) {
      stop.store(true, std::memory_order_relaxed);
      const std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure)
        failure = std::current_exception();
    }
  }
};

// Starts a thread running f with every signal blocked (a thread inherits the mask of the thread that starts it, so
// the caller's is blocked for that moment); throws what std::thread throws when it cannot.
template <typename F> std::thread start_thread_without_signals(F &&f) {
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  try {
    std::thread t(std::forward<F>(f));
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return t;
  } catch (...) {
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    throw;
  }
}

} // namespace

struct SharedWork::State {
  Shared shared;
  State(std::size_t count, const std::function<void(std::size_t)> &work) : shared{count, work} {}
};

SharedWork::SharedWork(std::size_t count, unsigned threads, std::function<void(std::size_t)> work)
    : work_(std::move(work)), state_(std::make_unique<State>(count, work_)) {
  const std::size_t useful = (count + kBlock - 1) / kBlock;
  const unsigned wanted = static_cast<unsigned>(std::min<std::size_t>(std::max(threads, 1u) - 1, useful));
  try {
    threads_.reserve(wanted);
    for (unsigned t = 0; t < wanted; t++)
      threads_.push_back(start_thread_without_signals([state = state_.get()] { state->shared.run(); }));
  } catch (...) {
    // No thread (resource limits, memory): those started and the caller's finish() do the work.
  }
}

SharedWork::~SharedWork() { stop_and_join(); }

void SharedWork::stop_and_join() noexcept {
  state_->shared.stop.store(true, std::memory_order_relaxed);
  for (std::thread &t : threads_)
    if (t.joinable())
      t.join();
}

void SharedWork::finish() {
  state_->shared.run();
  for (std::thread &t : threads_)
    if (t.joinable())
      t.join();
  if (state_->shared.failure)
    std::rethrow_exception(std::exchange(state_->shared.failure, nullptr));
}

unsigned parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t)> &work) {
  // No more threads than blocks of work; the caller takes blocks at once.
  const std::size_t useful = std::max<std::size_t>((count + kBlock - 1) / kBlock, 1);
  SharedWork shared(count, static_cast<unsigned>(std::min<std::size_t>(std::max(threads, 1u), useful)), work);
  shared.finish();
  return shared.started() + 1;
}

BackgroundTask::BackgroundTask(std::function<void()> work) : work_(std::move(work)) {
  try {
    thread_ = start_thread_without_signals([this] { run(); });
  } catch (...) {
    // No thread: wait() runs the work.
  }
}

BackgroundTask::~BackgroundTask() {
  // A started thread is waited for; work that never got a thread is not run now (nobody wants its result).
  if (thread_.joinable())
    thread_.join(); // its failure, if any, is dropped: whoever wanted the result called wait()
}

void BackgroundTask::run() noexcept {
  try {
    work_();
  } catch (...) {
    failure_ = std::current_exception();
  }
}

void BackgroundTask::join() noexcept {
  if (thread_.joinable()) {
    try {
      thread_.join();
    } catch (...) {
      return; // join() fails only for a thread that is not joinable
    }
    ran_on_own_thread_ = true; // done: wait() only reports the failure
  }
}

void BackgroundTask::wait() {
  if (!done_) {
    if (thread_.joinable()) {
      thread_.join();
      ran_on_own_thread_ = true;
    } else if (!ran_on_own_thread_) {
      run(); // no thread was started
    }
    done_ = true;
  }
  if (failure_)
    std::rethrow_exception(std::exchange(failure_, nullptr));
}

} // namespace pgo::core
