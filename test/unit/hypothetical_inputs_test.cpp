#include "core/hypothetical_inputs.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

using pgo::core::IndexInputs;
using pgo::core::parse_index_inputs;

TEST(HypotheticalInputs, EmptyTextGivesNothing) {
  EXPECT_TRUE(parse_index_inputs("").empty());
  EXPECT_TRUE(parse_index_inputs("  ").empty());
}

TEST(HypotheticalInputs, EntriesInOrderEmptyOnesKeepOwnEstimates) {
  const std::vector<IndexInputs> in = parse_index_inputs("6406/-1, ,2750/2/120000.5,");
  ASSERT_EQ(in.size(), 4u);
  EXPECT_TRUE(in[0].given);
  EXPECT_EQ(in[0].pages, 6406);
  EXPECT_EQ(in[0].tree_height, -1);
  EXPECT_LT(in[0].tuples, 0);
  EXPECT_FALSE(in[1].given);
  EXPECT_TRUE(in[2].given);
  EXPECT_EQ(in[2].pages, 2750);
  EXPECT_EQ(in[2].tree_height, 2);
  EXPECT_DOUBLE_EQ(in[2].tuples, 120000.5);
  EXPECT_FALSE(in[3].given);
}

TEST(HypotheticalInputs, BadEntriesAreRefusedWithTheirNumber) {
  for (const char *bad : {"12", "12/1/2/3", "x/1", "12/", "1.5/1", "12/1.5", "-1/1", "12/-2", "12/33", "12/1/-3",
                          "12/1/nan", "4294967296/1", "1e3x/1"}) {
    try {
      parse_index_inputs(std::string(",") + bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const pgo::Error &e) {
      EXPECT_EQ(e.sqlstate(), "22023") << bad;
      EXPECT_NE(e.message().find("entry 2"), std::string::npos) << e.message();
    }
  }
}

TEST(HypotheticalInputs, AtMostAThousandEntries) {
  std::string text(999, ',');
  EXPECT_EQ(parse_index_inputs(text).size(), 1000u);
  EXPECT_THROW(parse_index_inputs(text + ","), pgo::Error);
}
