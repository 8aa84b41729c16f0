#include <gtest/gtest.h>

#include <set>

#include "common/errors.hpp"
#include "common/memory_source.hpp"
#include "common/walker.hpp"

namespace ramify {
namespace {

Node make(const std::string& id, const std::string& parent, const std::string& level) {
  Node n;
  n.id = id;
  n.parent = parent;
  n.level = level;
  n.is_file = level == "file";
  auto slash = id.rfind('/');
  n.label = slash == std::string::npos ? id : id.substr(slash + 1);
  return n;
}

// p
// +-- b            (children listed out of order on purpose)
// |   +-- b/y.txt
// |   +-- b/x
// +-- a
// |   +-- a/2
// |   +-- a/1
// +-- README
MemorySource known_tree() {
  return MemorySource(make("p", "", "project"),
                      {make("b", "p", "subject"), make("b/y.txt", "b", "file"), make("b/x", "b", "session"),
                       make("a", "p", "subject"), make("a/2", "a", "session"), make("a/1", "a", "session"),
                       make("README", "p", "file")});
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
  MemorySource source(make("p", "", "project"),
                      {make("\xc3\xa9", "p", "file"), make("Z", "p", "file"), make("a", "p", "file")});
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
  Node a = make("a", "p", "subject");
  MemorySource subtree(a, source.subtree("a"));
  Recorder recorder;
  walk(subtree, WalkPlan{a, {make("p", "", "project")}, WalkOrder::depth, false, {}}, recorder);
  EXPECT_EQ(recorder.order, (std::vector<std::string>{"a", "a/1", "a/2"}));
  EXPECT_EQ(recorder.chains, (std::vector<std::size_t>{1, 2, 2}));
  EXPECT_EQ(recorder.keys[1], "p/a/1");
}

TEST(Walker, StopsWhenTheVisitorSaysSo) {
  MemorySource source = known_tree();
  Recorder recorder;
  recorder.stop_after = 3;
  EXPECT_EQ(walk(source, WalkPlan{source.root(), {}, WalkOrder::depth, false, {}}, recorder), 3u);
}

TEST(MemorySource, RejectsOrphansDuplicatesAndCycles) {
  EXPECT_THROW(MemorySource(make("p", "", "project"), {make("x", "missing", "subject")}), SourceError);
  EXPECT_THROW(MemorySource(make("p", "", "project"), {make("a", "p", "subject"), make("a", "p", "subject")}),
               SourceError);
  EXPECT_THROW(MemorySource(make("p", "", "project"), {make("a", "b", "subject"), make("b", "a", "subject")}),
               SourceError);
}

}  // namespace
}  // namespace ramify
