#include "core/key_directory.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

using pgo::core::KeyDirectory;

namespace {

// Where `key` is in `keys` through the directory: the first position of the key inside its candidates, or -1.
long find(const KeyDirectory &d, const std::vector<std::uint32_t> &keys, std::uint32_t key) {
  const KeyDirectory::Range r = d.candidates(key);
  EXPECT_LE(r.first, r.last);
  EXPECT_LE(r.last, keys.size());
  const auto first = keys.begin() + static_cast<long>(r.first), last = keys.begin() + static_cast<long>(r.last);
  const auto found = std::lower_bound(first, last, key);
  return found != last && *found == key ? found - keys.begin() : -1;
}

KeyDirectory directory_of(const std::vector<std::uint32_t> &keys) {
  return KeyDirectory::build(keys.size(), [&](std::size_t i) { return keys[i]; });
}

// Every key present is found at its first position, and every key absent is not, for any layout of keys.
void expect_exact(const std::vector<std::uint32_t> &keys, const std::vector<std::uint32_t> &absent) {
  const KeyDirectory d = directory_of(keys);
  for (std::size_t i = 0; i < keys.size(); i++) {
    const long expected = std::lower_bound(keys.begin(), keys.end(), keys[i]) - keys.begin();
    ASSERT_EQ(find(d, keys, keys[i]), expected) << "key " << keys[i];
  }
  for (std::uint32_t key : absent)
    ASSERT_EQ(find(d, keys, key), -1) << "key " << key;
}

} // namespace

TEST(KeyDirectory, EmptyFindsNothing) {
  const KeyDirectory d = directory_of({});
  const KeyDirectory::Range r = d.candidates(42);
  EXPECT_EQ(r.first, r.last);
}

TEST(KeyDirectory, OneKey) { expect_exact({16384}, {0, 16383, 16385, UINT32_MAX}); }

TEST(KeyDirectory, DenseOidsNarrowToAFewCandidates) {
  std::vector<std::uint32_t> keys;
  for (std::uint32_t oid = 16384; keys.size() < 100000; oid += 1 + oid % 3)
    keys.push_back(oid);
  expect_exact(keys, {0, 16383, 16385, keys.back() + 1, UINT32_MAX}); // 16384, 16386, ...
  const KeyDirectory d = directory_of(keys);
  std::size_t widest = 0;
  for (std::uint32_t key : keys)
    widest = std::max(widest, d.candidates(key).last - d.candidates(key).first);
  EXPECT_LE(widest, 16u);                 // a bucket of a few keys, not a bisection of all
  EXPECT_LE(d.bytes(), keys.size() + 64); // about 1 byte a key
}

TEST(KeyDirectory, ExtremesRepeatsAndBunchedKeys) {
  // System OIDs, a wrapped-around counter near the top of the range, repeats (the files of one file node).
  std::vector<std::uint32_t> keys = {0, 1, 1, 1, 2, 1259, 16384, 16384, 16385, 4000000000u, UINT32_MAX - 1, UINT32_MAX};
  expect_exact(keys, {3, 1258, 16383, 16386, 3999999999u, UINT32_MAX - 2});

  std::mt19937 random(16);
  std::vector<std::uint32_t> mixed;
  for (int i = 0; i < 20000; i++)
    mixed.push_back(i % 4 == 0 ? static_cast<std::uint32_t>(random()) : 16384 + static_cast<std::uint32_t>(i));
  std::sort(mixed.begin(), mixed.end());
  std::vector<std::uint32_t> absent;
  for (int i = 0; i < 2000; i++) {
    const auto key = static_cast<std::uint32_t>(random());
    if (!std::binary_search(mixed.begin(), mixed.end(), key))
      absent.push_back(key);
  }
  expect_exact(mixed, absent);
}
