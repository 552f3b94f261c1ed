#include "core/key_bitmap.hpp"

#include <gtest/gtest.h>

#include <cstdint>

using pgo::core::KeyBitmap;

TEST(KeyBitmap, HoldsTheKeysInsertedAndNoOthers) {
  std::optional<KeyBitmap> set = KeyBitmap::for_range(16384, 16384 + 1000, 1024);
  ASSERT_TRUE(set);
  for (std::uint32_t key : {16384u, 16447u, 16448u, 16500u, 17384u})
    set->insert(key);
  for (std::uint32_t key : {16384u, 16447u, 16448u, 16500u, 17384u})
    EXPECT_TRUE(set->contains(key)) << key;
  for (std::uint32_t key : {0u, 16383u, 16385u, 16446u, 16449u, 17383u, 17385u, 17408u, 100000u, UINT32_MAX})
    EXPECT_FALSE(set->contains(key)) << key;
}

TEST(KeyBitmap, TakesOneBitAKeyAndRefusesRangesOverItsBudget) {
  // A million keys: 125,000 bytes of bits.
  std::optional<KeyBitmap> set = KeyBitmap::for_range(1000, 1000 + 999999, 125000);
  ASSERT_TRUE(set);
  EXPECT_EQ(set->bytes(), 125000u);
  EXPECT_FALSE(KeyBitmap::for_range(1000, 1000 + 1000000, 125000)); // one key more needs another word
  EXPECT_FALSE(KeyBitmap::for_range(0, UINT32_MAX, 64u << 20));     // 512 MB of bits
  EXPECT_FALSE(KeyBitmap::for_range(10, 9, 1024));
}

TEST(KeyBitmap, CoversTheWholeKeySpaceAtItsEnds) {
  std::optional<KeyBitmap> top = KeyBitmap::for_range(UINT32_MAX - 70, UINT32_MAX, 64);
  ASSERT_TRUE(top);
  top->insert(UINT32_MAX);
  top->insert(UINT32_MAX - 70);
  EXPECT_TRUE(top->contains(UINT32_MAX));
  EXPECT_TRUE(top->contains(UINT32_MAX - 70));
  EXPECT_FALSE(top->contains(UINT32_MAX - 1));
  EXPECT_FALSE(top->contains(UINT32_MAX - 71));
  std::optional<KeyBitmap> one = KeyBitmap::for_range(0, 0, 8);
  ASSERT_TRUE(one);
  EXPECT_FALSE(one->contains(0));
  one->insert(0);
  EXPECT_TRUE(one->contains(0));
  EXPECT_FALSE(one->contains(1));
}
