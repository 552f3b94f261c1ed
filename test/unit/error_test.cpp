#include "core/error.hpp"

#include <gtest/gtest.h>

TEST(Error, KeepsSqlstateAndTexts) {
  const pgo::Error e("22023", "bad value", "the detail", "the hint");
  EXPECT_EQ(e.sqlstate(), "22023");
  EXPECT_STREQ(e.what(), "bad value");
  EXPECT_EQ(e.detail(), "the detail");
  EXPECT_EQ(e.hint(), "the hint");
}

TEST(Error, MalformedSqlstateBecomesInternalError) {
  EXPECT_EQ(pgo::Error("2202", "x").sqlstate(), pgo::sqlstate::kInternalError);
  EXPECT_EQ(pgo::Error("", "x").sqlstate(), pgo::sqlstate::kInternalError);
}
