#include <gtest/gtest.h>

#include "support/nodes.hpp"

#include <set>

#include "hierarchy/memory_source.hpp"
#include "hierarchy/walker.hpp"
#include "util/errors.hpp"

namespace ramify {
namespace {

using testing::make_node;

// p
// +-- b            (children listed out of order on purpose)
// |   +-- b/y.txt
// |   +-- b/x
// +-- a
// |   +-- a/2
// |   +-- a/1
// +-- README
MemorySource known_tree() {
  return MemorySource(make_node("p", "", "project"),
                      {make_node("b", "p", "subject"), make_node("b/y.txt", "b", "file"), make_node("b/x", "b", "session"),
                       make_node("a", "p", "subject"), make_node("a/2", "a", "session"), make_node("a/1", "a", "session"),
                       make_node("README", "p", "file")});
}

class Recorder : public WalkVisitor {
 public:
  bool visit(WalkFrame& frame, const ChildListing&) override {
    order.push_back(frame.node.id);
    keys.push_back(frame.search_key);
    data_seen.push_back(frame.data.count("path") ? frame.data["path"] : "");
    frame.data["path"] += "/" + frame.node.label;  // each child must start from its parent's copy
    chains.push_back(frame.ancestors().size());
    return prune.count(frame.node.id) == 0;
  }
  bool stopped() const override { return stop_after > 0 && order.size() >= stop_after; }

  std::vector<std::string> order, keys, data_seen;
  std::vector<std::size_t> chains;
  std::set<std::string> prune;
  std::size_t stop_after = 0;
};

TEST(Walker, VisitsDepthFirstInByteOrderOfLabels) {
  MemorySource source = known_tree();
  Recorder recorder;
  walk(source, WalkPlan{source.root(), {}, WalkOrder::depth, false, {}}, recorder);
  EXPECT_EQ(recorder.order, (std::vector<std::string>{"p", "README", "a", "a/1", "a/2", "b", "b/x", "b/y.txt"}));
}

TEST(Walker, VisitsBreadthFirstInByteOrderOfLabels) {
  MemorySource source = known_tree();
  Recorder recorder;
  walk(source, WalkPlan{source.root(), {}, WalkOrder::breadth, false, {}}, recorder);
  EXPECT_EQ(recorder.order, (std::vector<std::string>{"p", "README", "a", "b", "a/1", "a/2", "b/x", "b/y.txt"}));
}

TEST(Walker, OrdersLabelsAsUnsignedBytes) {
  MemorySource source(make_node("p", "", "project"),
                      {make_node("\xc3\xa9", "p", "file"), make_node("Z", "p", "file"), make_node("a", "p", "file")});
  Recorder recorder;
  walk(source, WalkPlan{source.root(), {}, WalkOrder::depth, false, {}}, recorder);
  EXPECT_EQ(recorder.order, (std::vector<std::string>{"p", "Z", "a", "\xc3\xa9"}));
}

TEST(Walker, PruneLeavesTheSubtreeOut) {
  MemorySource source = known_tree();
  Recorder recorder;
  recorder.prune = {"a"};
  walk(source, WalkPlan{source.root(), {}, WalkOrder::depth, false, {}}, recorder);
  EXPECT_EQ(recorder.order, (std::vector<std::string>{"p", "README", "a", "b", "b/x", "b/y.txt"}));
}

TEST(Walker, ShallowPlanVisitsTheRootAndItsFilesOnly) {
  MemorySource source = known_tree();
  Recorder recorder;
  walk(source, WalkPlan{source.root(), {}, WalkOrder::depth, true, {}}, recorder);
  EXPECT_EQ(recorder.order, (std::vector<std::string>{"p", "README"}));
}

TEST(Walker, DataIsCopiedDownAndNeverSharedBetweenSiblings) {
  MemorySource source = known_tree();
  Recorder recorder;
  walk(source, WalkPlan{source.root(), {}, WalkOrder::breadth, false, {{"path", "root"}}}, recorder);
  // Order: p, README, a, b, a/1, a/2, b/x, b/y.txt
  EXPECT_EQ(recorder.data_seen[0], "root");
  EXPECT_EQ(recorder.data_seen[2], "root/p");       // a sees p's change, not README's
  EXPECT_EQ(recorder.data_seen[3], "root/p");       // b does not see a's change
  EXPECT_EQ(recorder.data_seen[4], "root/p/a");     // a/1
  EXPECT_EQ(recorder.data_seen[5], "root/p/a");     // a/2 does not see a/1's change
  EXPECT_EQ(recorder.data_seen[6], "root/p/b");
}

TEST(Walker, AncestorChainAndSearchKeyIncludeTheAssignmentsAncestors) {
  MemorySource source = known_tree();
  Node a = make_node("a", "p", "subject");
  MemorySource subtree(a, source.subtree("a"));
  Recorder recorder;
  walk(subtree, WalkPlan{a, {make_node("p", "", "project")}, WalkOrder::depth, false, {}}, recorder);
  EXPECT_EQ(recorder.order, (std::vector<std::string>{"a", "a/1", "a/2"}));
  EXPECT_EQ(recorder.chains, (std::vector<std::size_t>{1, 2, 2}));
  EXPECT_EQ(recorder.keys[1], "p/a/1");
}

TEST(Walker, StopsWhenTheVisitorSaysSo) {
  MemorySource source = known_tree();
  Recorder recorder;
  recorder.stop_after = 3;
  const WalkResult result = walk(source, WalkPlan{source.root(), {}, WalkOrder::depth, false, {}}, recorder);
  EXPECT_EQ(result.visited, 3u);
  EXPECT_FALSE(result.finished);
}

TEST(MemorySource, RejectsOrphansDuplicatesAndCycles) {
  EXPECT_THROW(MemorySource(make_node("p", "", "project"), {make_node("x", "missing", "subject")}), SourceError);
  EXPECT_THROW(MemorySource(make_node("p", "", "project"), {make_node("a", "p", "subject"), make_node("a", "p", "subject")}),
               SourceError);
  EXPECT_THROW(MemorySource(make_node("p", "", "project"), {make_node("a", "b", "subject"), make_node("b", "a", "subject")}),
               SourceError);
}

}  // namespace
}  // namespace ramify
