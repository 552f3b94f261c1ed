#include "core/free_memory.hpp"

#include <gtest/gtest.h>

#include <cstdlib> // defines __GLIBC__ on glibc
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace {

// The process's resident anonymous memory, in kB (RssAnon in /proc/self/status).
long resident_anonymous_kb() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "RssAnon:") {
      long kb = 0;
      status >> kb;
      return kb;
    }
    status.ignore(1 << 12, '\n');
  }
  return -1;
}

} // namespace

TEST(FreeMemory, GivesFreedHeapPagesBack) {
#if !defined(__GLIBC__)
  GTEST_SKIP() << "malloc_trim is glibc's";
#elif defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's allocator is not glibc's";
#else
  // 64 MB in small blocks, each written (so resident), from the heap rather than mmap; one block allocated after
  // them stays, so the freed ones are not at the heap's top, where free() alone would trim them.
  constexpr std::size_t kBlocks = 64 * 1024, kBlockBytes = 1024;
  std::vector<std::unique_ptr<char[]>> blocks(kBlocks);
  long sum = 0;
  for (auto &b : blocks) {
    b.reset(new char[kBlockBytes]);
    std::memset(b.get(), 1, kBlockBytes);
    sum += static_cast<volatile char *>(b.get())[kBlockBytes - 1]; // read back: the writes cannot be left out
  }
  ASSERT_EQ(sum, static_cast<long>(kBlocks));
  std::unique_ptr<char[]> top(new char[kBlockBytes]);
  std::memset(top.get(), 1, kBlockBytes);
  const long held = resident_anonymous_kb();
  ASSERT_GT(held, 0);
  blocks.clear();
  blocks.shrink_to_fit();
  const long freed = resident_anonymous_kb();
  pgo::core::return_free_memory();
  const long returned = resident_anonymous_kb();
  // free() kept most of it; return_free_memory() gave back at least 48 of the 64 MB.
  EXPECT_GT(held, 64 * 1024);
  EXPECT_GT(freed, held - 16 * 1024);
  EXPECT_LT(returned, freed - 48 * 1024);
#endif
}

TEST(FreeMemory, HarmlessWithNothingFree) {
  pgo::core::return_free_memory();
  pgo::core::return_free_memory();
  std::unique_ptr<int> still(new int(7));
  EXPECT_EQ(*still, 7);
}
