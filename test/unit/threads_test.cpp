#include "core/threads.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <mutex>
#include <pthread.h>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

using pgo::core::BackgroundTask;
using pgo::core::parallel_for;

std::vector<int> calls_per_item(std::size_t count, unsigned threads, unsigned *used = nullptr) {
  std::vector<std::atomic<int>> calls(count);
  const unsigned ran = parallel_for(count, threads, [&](std::size_t i) { calls[i].fetch_add(1); });
  if (used != nullptr)
    *used = ran;
  std::vector<int> out;
  for (const auto &c : calls)
    out.push_back(c.load());
  return out;
}

TEST(ParallelFor, CallsEveryItemExactlyOnce) {
  for (unsigned threads : {0u, 1u, 2u, 3u, 8u})
    for (std::size_t count :
         {std::size_t{0}, std::size_t{1}, std::size_t{511}, std::size_t{512}, std::size_t{513}, std::size_t{100000}}) {
      const std::vector<int> calls = calls_per_item(count, threads);
      ASSERT_EQ(calls.size(), count);
      for (std::size_t i = 0; i < count; i++)
        ASSERT_EQ(calls[i], 1) << "item " << i << " of " << count << " on " << threads << " threads";
    }
}

TEST(ParallelFor, StartsNoMoreThreadsThanBlocksOfWork) {
  unsigned used = 0;
  calls_per_item(10, 8, &used);
  EXPECT_EQ(used, 1u); // one block: the caller's thread alone
  calls_per_item(0, 4, &used);
  EXPECT_EQ(used, 1u);
  calls_per_item(100000, 1, &used);
  EXPECT_EQ(used, 1u);
  calls_per_item(100000, 3, &used);
  EXPECT_EQ(used, 3u);
}

TEST(ParallelFor, RunsOnSeveralThreads) {
  std::mutex mutex;
  std::set<std::thread::id> ids;
  // 200 ms of work in 8 blocks: the started threads take blocks long before the caller could finish them all.
  parallel_for(4096, 4, [&](std::size_t) {
    std::this_thread::sleep_for(std::chrono::microseconds(50));
    const std::lock_guard<std::mutex> lock(mutex);
    ids.insert(std::this_thread::get_id());
  });
  EXPECT_GE(ids.size(), 2u);
  EXPECT_LE(ids.size(), 4u);
}

TEST(ParallelFor, StartedThreadsBlockEverySignalAndTheCallersMaskIsKept) {
  sigset_t before;
  pthread_sigmask(SIG_SETMASK, nullptr, &before);
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<int> helper_items{0}, unblocked_in_helpers{0};
  parallel_for(8 * 512, 2, [&](std::size_t) {
    std::this_thread::sleep_for(std::chrono::microseconds(20));
    if (std::this_thread::get_id() == caller)
      return;
    helper_items++;
    sigset_t mask;
    pthread_sigmask(SIG_SETMASK, nullptr, &mask);
    for (int sig : {SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGQUIT})
      if (!sigismember(&mask, sig))
        unblocked_in_helpers++;
  });
  EXPECT_GT(helper_items.load(), 0);
  EXPECT_EQ(unblocked_in_helpers.load(), 0);
  sigset_t after;
  pthread_sigmask(SIG_SETMASK, nullptr, &after);
  for (int sig : {SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGQUIT})
    EXPECT_EQ(sigismember(&after, sig), sigismember(&before, sig)) << "signal " << sig;
}

TEST(ParallelFor, RethrowsTheFirstFailureAfterEveryThreadStopped) {
  std::atomic<int> running{0}, after_return{0};
  std::atomic<bool> returned{false};
  try {
    parallel_for(100000, 4, [&](std::size_t i) {
      running++;
      if (returned)
        after_return++;
      running--;
      if (i == 700)
        throw std::runtime_error("item 700");
    });
    FAIL() << "no exception";
  } catch (const std::runtime_error &e) {
    returned = true;
    EXPECT_STREQ(e.what(), "item 700");
  }
  EXPECT_EQ(running.load(), 0);
  EXPECT_EQ(after_return.load(), 0);
}

TEST(ParallelFor, AFailureStopsTheHandingOut) {
  std::atomic<std::size_t> calls{0};
  EXPECT_THROW(parallel_for(1000000, 2,
                            [&](std::size_t) {
                              calls++;
                              throw std::logic_error("first item fails");
                            }),
               std::logic_error);
  // Each thread stops at its first item's failure.
  EXPECT_LE(calls.load(), 2u);
}

TEST(BackgroundTask, RunsOnItsOwnThreadWithEverySignalBlocked) {
  std::thread::id ran_on;
  bool blocked = true;
  BackgroundTask task([&] {
    ran_on = std::this_thread::get_id();
    sigset_t mask;
    pthread_sigmask(SIG_SETMASK, nullptr, &mask);
    for (int sig : {SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGQUIT})
      blocked = blocked && sigismember(&mask, sig);
  });
  task.wait();
  EXPECT_TRUE(task.on_own_thread());
  EXPECT_NE(ran_on, std::this_thread::get_id());
  EXPECT_TRUE(blocked);
  task.wait(); // a second wait returns at once
}

TEST(BackgroundTask, TheCallerGoesOnWhileItRuns) {
  std::atomic<bool> release{false}, finished{false};
  BackgroundTask task([&] {
    while (!release)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    finished = true;
  });
  // Still running: it waits for this thread, which would never get here if the work ran in the constructor.
  EXPECT_FALSE(finished);
  release = true;
  task.wait();
  EXPECT_TRUE(finished);
}

TEST(BackgroundTask, WaitRethrowsAndTheDestructorWaits) {
  BackgroundTask failing([] { throw std::runtime_error("listing failed"); });
  EXPECT_THROW(failing.wait(), std::runtime_error);
  EXPECT_NO_THROW(failing.wait()); // reported once

  std::atomic<bool> finished{false};
  {
    BackgroundTask slow([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      finished = true;
    });
  }
  EXPECT_TRUE(finished);
  {
    BackgroundTask dropped([] { throw std::logic_error("nobody waits"); }); // no terminate, no throw
  }
}

TEST(BackgroundTask, JoinWaitsForTheThreadAndKeepsTheFailureForWait) {
  std::atomic<bool> finished{false};
  BackgroundTask task([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    finished = true;
    throw std::runtime_error("after the work");
  });
  task.join(); // never throws
  EXPECT_TRUE(finished);
  EXPECT_TRUE(task.on_own_thread());
  EXPECT_THROW(task.wait(), std::runtime_error);
}

} // namespace

TEST(SharedWork, EveryItemOnceWhenTheCallerJoinsLate) {
  constexpr std::size_t kCount = 100000;
  std::vector<std::atomic<int>> seen(kCount);
  pgo::core::SharedWork work(kCount, 3, [&](std::size_t i) { seen[i].fetch_add(1); });
  EXPECT_LE(work.started(), 2u);
  std::this_thread::sleep_for(std::chrono::milliseconds(5)); // the caller's own work
  work.finish();
  for (std::size_t i = 0; i < kCount; i++)
    ASSERT_EQ(seen[i].load(), 1) << i;
}

TEST(SharedWork, OneThreadMeansTheCallerDoesItAll) {
  std::vector<int> seen(3000);
  std::thread::id worker;
  pgo::core::SharedWork work(seen.size(), 1, [&](std::size_t i) {
    seen[i]++;
    worker = std::this_thread::get_id();
  });
  EXPECT_EQ(work.started(), 0u);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 0), 3000); // nothing runs before finish()
  work.finish();
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), 3000);
  EXPECT_EQ(worker, std::this_thread::get_id());
}

TEST(SharedWork, FinishRethrowsTheFirstFailure) {
  pgo::core::SharedWork work(20000, 2, [](std::size_t i) {
    if (i == 777)
      throw std::runtime_error("item 777");
  });
  EXPECT_THROW(
      {
        try {
          work.finish();
        } catch (const std::runtime_error &e) {
          EXPECT_STREQ(e.what(), "item 777");
          throw;
        }
      },
      std::runtime_error);
}

TEST(SharedWork, StoppingLeavesTheRestUndone) {
  constexpr std::size_t kCount = 1000000;
  std::atomic<std::size_t> done{0};
  {
    pgo::core::SharedWork work(kCount, 2, [&](std::size_t) {
      done.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    work.stop_and_join();
    const std::size_t at_stop = done.load();
    EXPECT_LT(at_stop, kCount);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(done.load(), at_stop); // the thread is gone
  }                                  // the destructor after stop_and_join(): nothing more
  EXPECT_LT(done.load(), kCount);
}

TEST(SharedWork, DestructorStopsAndWaits) {
  std::atomic<std::size_t> done{0};
  {
    pgo::core::SharedWork work(1000000, 3, [&](std::size_t) {
      done.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    });
  }
  const std::size_t after = done.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(done.load(), after);
  EXPECT_LT(after, 1000000u);
}
