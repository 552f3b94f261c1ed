#include "core/index_ddl.hpp"

#include <gtest/gtest.h>

namespace {

using pgo::core::create_index_statements;
using pgo::core::IndexTarget;

IndexTarget leaf(std::string schema, std::string table, std::string index) {
  IndexTarget t;
  t.schema = std::move(schema);
  t.table = std::move(table);
  t.index_name = std::move(index);
  return t;
}

TEST(IndexDdl, PlainTableIsOneConcurrentStatement) {
  EXPECT_EQ(create_index_statements(leaf("public", "orders", "orders_user_id_idx"), {"user_id"}),
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_user_id_idx ON public.orders (user_id);");
}

TEST(IndexDdl, ColumnsKeepTheirOrderAndQuoting) {
  EXPECT_EQ(create_index_statements(leaf("\"My Schema\"", "\"Order\"", "\"Order_a_B_idx\""), {"a", "\"B\""}),
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS \"Order_a_B_idx\" ON \"My Schema\".\"Order\" (a, \"B\");");
}

TEST(IndexDdl, PartitionedTreeBuildsLeavesConcurrentlyAndAttaches) {
  IndexTarget root = leaf("s", "events", "events_uid_idx");
  root.partitioned = true;
  IndexTarget mid = leaf("s", "events_2026", "events_2026_uid_idx");
  mid.partitioned = true;
  mid.partitions.push_back(leaf("s", "events_2026_q1", "events_2026_q1_uid_idx"));
  root.partitions.push_back(mid);
  root.partitions.push_back(leaf("s", "events_old", "events_old_uid_idx"));

  EXPECT_EQ(create_index_statements(root, {"uid"}),
            "CREATE INDEX IF NOT EXISTS events_uid_idx ON ONLY s.events (uid);\n"
            "CREATE INDEX IF NOT EXISTS events_2026_uid_idx ON ONLY s.events_2026 (uid);\n"
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS events_2026_q1_uid_idx ON s.events_2026_q1 (uid);\n"
            "ALTER INDEX s.events_2026_uid_idx ATTACH PARTITION s.events_2026_q1_uid_idx;\n"
            "ALTER INDEX s.events_uid_idx ATTACH PARTITION s.events_2026_uid_idx;\n"
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS events_old_uid_idx ON s.events_old (uid);\n"
            "ALTER INDEX s.events_uid_idx ATTACH PARTITION s.events_old_uid_idx;");
}

TEST(IndexDdl, PartitionedWithoutPartitionsIsJustTheParentIndex) {
  IndexTarget root = leaf("s", "empty_parent", "empty_parent_a_idx");
  root.partitioned = true;
  EXPECT_EQ(create_index_statements(root, {"a"}),
            "CREATE INDEX IF NOT EXISTS empty_parent_a_idx ON ONLY s.empty_parent (a);");
}

} // namespace
