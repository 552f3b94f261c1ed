#include "core/relation_file_name.hpp"

#include <gtest/gtest.h>

#include <cstring>

using pgo::core::parse_relation_file_name;
using pgo::core::RelationFork;

TEST(RelationFileName, ReadsForksSegmentsAndTemporaryRelations) {
  auto main = parse_relation_file_name("16384");
  ASSERT_TRUE(main);
  EXPECT_EQ(main->filenode, 16384u);
  EXPECT_EQ(main->backend, -1);
  EXPECT_EQ(main->fork, RelationFork::Main);
  EXPECT_EQ(main->segment, 0u);

  auto segment = parse_relation_file_name("16384.12");
  ASSERT_TRUE(segment);
  EXPECT_EQ(segment->segment, 12u);
  EXPECT_EQ(segment->fork, RelationFork::Main);

  auto fsm = parse_relation_file_name("4294967295_fsm");
  ASSERT_TRUE(fsm);
  EXPECT_EQ(fsm->filenode, 4294967295u);
  EXPECT_EQ(fsm->fork, RelationFork::FreeSpaceMap);
  EXPECT_EQ(parse_relation_file_name("20_vm")->fork, RelationFork::VisibilityMap);
  auto init = parse_relation_file_name("20_init.3");
  ASSERT_TRUE(init);
  EXPECT_EQ(init->fork, RelationFork::Init);
  EXPECT_EQ(init->segment, 3u);

  auto temp = parse_relation_file_name("t3_16390_fsm");
  ASSERT_TRUE(temp);
  EXPECT_EQ(temp->backend, 3);
  EXPECT_EQ(temp->filenode, 16390u);
  EXPECT_EQ(temp->fork, RelationFork::FreeSpaceMap);
}

TEST(RelationFileName, RefusesEverythingElse) {
  for (const char *name : {"",          "PG_VERSION",     "pg_filenode.map", "pg_internal.init",
                           "pgsql_tmp", "pgsql_tmp123.0", "16384_",          "16384_xyz",
                           "16384.",    "16384.0",        "16384.x",         "16384.1.2",
                           "0",         "4294967296",     "t_16384",         "t3",
                           "t3_",       "tx_1",           "16384_fsm_vm",    "-1",
                           "+5",        "16384 ",         "16384_vm.1x",     "99999999999999999999"})
    EXPECT_FALSE(parse_relation_file_name(name)) << name;
}

TEST(RelationFileName, FormatsWhatItReads) {
  using pgo::core::format_relation_file_name;
  using pgo::core::kRelationFileNameSize;
  using pgo::core::RelationFileName;
  for (const char *name : {"16384", "1", "16384.12", "4294967295_fsm", "20_vm", "20_init.3", "t3_16390_fsm",
                           "t2147483647_4294967295_init.4294967295", "t0_5", "123_vm.4294967295"}) {
    const auto parsed = parse_relation_file_name(name);
    ASSERT_TRUE(parsed) << name;
    char out[kRelationFileNameSize];
    const std::size_t length = format_relation_file_name(*parsed, out);
    EXPECT_STREQ(out, name);
    EXPECT_EQ(length, std::strlen(name));
  }
  RelationFileName vm;
  vm.filenode = 16384;
  vm.fork = RelationFork::VisibilityMap;
  vm.segment = 2;
  char out[kRelationFileNameSize];
  format_relation_file_name(vm, out);
  EXPECT_STREQ(out, "16384_vm.2");
}
