#include "core/index_name_label.hpp"

#include <gtest/gtest.h>

namespace {

using pgo::core::ends_with_index_label;

TEST(IndexNameLabel, FirstChoiceAndNumberedRetries) {
  EXPECT_TRUE(ends_with_index_label("orders_customer_id_idx", "idx"));
  EXPECT_TRUE(ends_with_index_label("orders_customer_id_idx1", "idx"));
  EXPECT_TRUE(ends_with_index_label("orders_customer_id_idx27", "idx"));
  EXPECT_TRUE(ends_with_index_label("_idx", "idx"));
}

TEST(IndexNameLabel, OtherNamesCannotClash) {
  EXPECT_FALSE(ends_with_index_label("orders_pkey", "idx"));
  EXPECT_FALSE(ends_with_index_label("t2_parent_id", "idx"));
  EXPECT_FALSE(ends_with_index_label("orders_customer_id_index", "idx"));
  EXPECT_FALSE(ends_with_index_label("ordersidx", "idx"));    // no "_" before the label
  EXPECT_FALSE(ends_with_index_label("orders_idx_a", "idx")); // something after the label other than digits
  EXPECT_FALSE(ends_with_index_label("idx", "idx"));
  EXPECT_FALSE(ends_with_index_label("idx1", "idx"));
  EXPECT_FALSE(ends_with_index_label("", "idx"));
  EXPECT_FALSE(ends_with_index_label("12", "idx"));
}

TEST(IndexNameLabel, OtherLabels) {
  EXPECT_TRUE(ends_with_index_label("orders_id_key", "key"));
  EXPECT_FALSE(ends_with_index_label("orders_id_key", "idx"));
}

} // namespace
