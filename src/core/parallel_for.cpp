#include "core/parallel_for.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <pthread.h>
#include <signal.h>
#include <thread>
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

} // namespace

unsigned parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t)> &work) {
  Shared shared{count, work};
  // No more threads than blocks of work.
  const std::size_t useful = (count + kBlock - 1) / kBlock;
  const unsigned wanted =
      static_cast<unsigned>(std::min<std::size_t>(std::max(threads, 1u), std::max<std::size_t>(useful, 1)));
  std::vector<std::thread> helpers;
  if (wanted > 1) {
    // A started thread inherits the mask of the thread that starts it: block everything while starting them.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    try {
      helpers.reserve(wanted - 1);
      for (unsigned t = 1; t < wanted; t++)
        helpers.emplace_back([&shared] { shared.run(); });
    } catch (...) {
      // No thread (resource limits, memory): the threads already started and this one do the work.
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  }
  shared.run();
  for (std::thread &helper : helpers)
    helper.join();
  if (shared.failure)
    std::rethrow_exception(shared.failure);
  return static_cast<unsigned>(helpers.size()) + 1;
}

} // namespace pgo::core
