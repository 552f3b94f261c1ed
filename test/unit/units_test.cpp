#include "core/units.hpp"

#include <gtest/gtest.h>

TEST(Units, PrettyBytesPicksTheLargestFittingUnit) {
  EXPECT_EQ(pgo::core::pretty_bytes(0), "0 kB");
  EXPECT_EQ(pgo::core::pretty_bytes(90112), "88 kB");
  EXPECT_EQ(pgo::core::pretty_bytes(1187840), "1.1 MB");
  EXPECT_EQ(pgo::core::pretty_bytes(5LL * 1024 * 1024 * 1024 + 512LL * 1024 * 1024), "5.5 GB");
}
