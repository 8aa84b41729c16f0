// The digest by which the broker knows a manifest's assignment is as it was
// (broker/assignment_digest.hpp): it changes with anything that would change
// what curating the assignment yields, and with nothing else.

#include "broker/assignment_digest.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "broker/partitioner.hpp"
#include "hierarchy/memory_source.hpp"
#include "support/nodes.hpp"

namespace ramify {
namespace {

using testing::make_node;

// p / README, s1 {a {x}, f}, s2; `change` may alter any node first.
std::vector<AssignmentSpec> digested(std::vector<std::string>& digests,
                                     const std::function<void(std::vector<Node>&)>& change = {},
                                     const std::map<std::string, std::string>& stamps = {{"file", "c1"}},
                                     const JobSpec& spec = JobSpec{}) {
  std::vector<Node> below{make_node("README", "p", "file"), make_node("s1", "p", "subject"),
                          make_node("s2", "p", "subject"),  make_node("s1/a", "s1", "session"),
                          make_node("s1/f", "s1", "file"),  make_node("s1/a/x", "s1/a", "file")};
  for (Node& node : below)
    if (node.is_file) node.attrs["sha256"] = "aa";
  if (change) change(below);
  MemorySource source(make_node("p", "", "project"), below);
  auto parts = partition(source, PartitionOptions{1, false, 0, false}, &source);
  digests.clear();
  for (const AssignmentSpec& part : parts) digests.push_back(assignment_digest(part, source, stamps, spec));
  return parts;
}

TEST(AssignmentDigest, IsTheSameForTheSameNodesCommandsAndRules) {
  std::vector<std::string> first, again;
  const auto parts = digested(first);
  digested(again);
  ASSERT_EQ(parts.size(), 3u);  // p (shallow), s1, s2
  EXPECT_EQ(first, again);
  EXPECT_EQ(first[0].size(), 32u);
  EXPECT_NE(first[1], first[2]);
}

TEST(AssignmentDigest, ChangesOnlyForTheAssignmentWhoseNodesChanged) {
  std::vector<std::string> before, after;
  digested(before);
  digested(after, [](std::vector<Node>& nodes) { nodes[5].attrs["sha256"] = "bb"; });  // s1/a/x
  EXPECT_EQ(after[0], before[0]);
  EXPECT_NE(after[1], before[1]);
  EXPECT_EQ(after[2], before[2]);

  digested(after, [](std::vector<Node>& nodes) { nodes.push_back(make_node("s2/new", "s2", "file")); });
  EXPECT_EQ(after[0], before[0]);  // the shallow root sees its children's ids, not what lies below them
  EXPECT_EQ(after[1], before[1]);
  EXPECT_NE(after[2], before[2]);

  digested(after, [](std::vector<Node>& nodes) { nodes[0].size = 5; });  // the root's own file
  EXPECT_NE(after[0], before[0]);
  EXPECT_EQ(after[1], before[1]);

  digested(after, [](std::vector<Node>& nodes) { nodes.push_back(make_node("s3", "p", "subject")); });
  EXPECT_NE(after[0], before[0]);  // a new child of the root
  EXPECT_EQ(after[1], before[1]);

  digested(after, [](std::vector<Node>& nodes) { nodes[4].mtime = 1; });  // s1/f
  EXPECT_NE(after[1], before[1]);
}

TEST(AssignmentDigest, ChangesWithALevelsCuratorOrTheWalksRules) {
  std::vector<std::string> before, after;
  digested(before);
  digested(after, {}, {{"file", "c2"}});
  for (std::size_t i = 0; i < before.size(); ++i) EXPECT_NE(after[i], before[i]);
  JobSpec spec;
  spec.set("job", "stop_level", "session");
  digested(after, {}, {{"file", "c1"}}, spec);
  EXPECT_NE(after[1], before[1]);
  JobSpec excluding;
  excluding.set("job", "exclude_files", "*.tmp");
  digested(after, {}, {{"file", "c1"}}, excluding);
  EXPECT_NE(after[1], before[1]);
}

}  // namespace
}  // namespace ramify
