#include <gtest/gtest.h>

#include "support/nodes.hpp"

#include "broker/partitioner.hpp"
#include "hierarchy/memory_source.hpp"

namespace ramify {
namespace {

using testing::make_node;

MemorySource tree() {
  return MemorySource(make_node("p", "", "project"),
                      {make_node("README", "p", "file"), make_node("s1", "p", "subject"), make_node("s2", "p", "subject"),
                       make_node("s1/a", "s1", "session"), make_node("s1/b", "s1", "session"), make_node("s1/f", "s1", "file"),
                       make_node("s2/a", "s2", "session"), make_node("s1/a/x", "s1/a", "file")});
}

TEST(Partitioner, CuratesTheRootOnceThenOneSubtreePerNodeAtThePartitionLevel) {
  MemorySource source = tree();
  auto parts = partition(source, PartitionOptions{1, false, 0}, &source);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].kind, AssignmentKind::shallow);
  EXPECT_EQ(parts[0].root.id, "p");
  ASSERT_EQ(parts[0].nodes.size(), 1u);  // the root's own file travels with it
  EXPECT_EQ(parts[0].nodes[0].id, "README");
  EXPECT_FALSE(parts[0].after.has_value());
  EXPECT_EQ(parts[1].root.id, "s1");
  EXPECT_EQ(parts[1].kind, AssignmentKind::subtree);
  EXPECT_EQ(parts[1].after, std::optional<std::uint64_t>(0));
  ASSERT_EQ(parts[1].ancestors.size(), 1u);
  EXPECT_EQ(parts[1].ancestors[0].id, "p");
  EXPECT_EQ(parts[1].nodes.size(), 4u);  // s1/a, s1/a/x, s1/b, s1/f
  EXPECT_EQ(parts[2].root.id, "s2");
  for (std::size_t i = 0; i < parts.size(); ++i) EXPECT_EQ(parts[i].id, i);
}

TEST(Partitioner, DeeperPartitionLevelsCurateEachContainerAboveOnce) {
  MemorySource source = tree();
  auto parts = partition(source, PartitionOptions{2, false, 0}, &source);
  // shallow: p, s1, s2; subtrees: s1/a, s1/b, s2/a
  ASSERT_EQ(parts.size(), 6u);
  EXPECT_EQ(parts[1].root.id, "s1");
  EXPECT_EQ(parts[1].kind, AssignmentKind::shallow);
  ASSERT_EQ(parts[1].nodes.size(), 1u);
  EXPECT_EQ(parts[1].nodes[0].id, "s1/f");
  EXPECT_EQ(parts[3].root.id, "s1/a");
  EXPECT_EQ(parts[3].after, std::optional<std::uint64_t>(1));
  EXPECT_EQ(parts[5].root.id, "s2/a");
  EXPECT_EQ(parts[5].after, std::optional<std::uint64_t>(2));
  ASSERT_EQ(parts[5].ancestors.size(), 2u);
}

TEST(Partitioner, PartitionLevelZeroIsOneAssignment) {
  MemorySource source = tree();
  auto parts = partition(source, PartitionOptions{0, false, 0}, &source);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].nodes.size(), 8u);
}

}  // namespace
}  // namespace ramify
