// Splitting on skewed trees, checked by simulating a schedule with the real
// Scheduler: S slots, each assignment costing its weight.

#include <gtest/gtest.h>

#include <cmath>
#include <queue>

#include "broker/partitioner.hpp"
#include "broker/scheduler.hpp"
#include "hierarchy/memory_source.hpp"
#include "support/nodes.hpp"

namespace ramify {
namespace {

using testing::make_node;

// 20 subjects whose file counts follow a Zipf law (the first holds about half
// of all files), each spread over 10 sessions.
MemorySource zipf_tree(int total_files) {
  std::vector<Node> nodes;
  double norm = 0;
  for (int i = 1; i <= 20; ++i) norm += 1.0 / std::pow(i, 1.5);
  for (int s = 1; s <= 20; ++s) {
    const std::string subject = "sub-" + std::to_string(s);
    nodes.push_back(make_node(subject, ".", "subject"));
    const int files = std::max(1, static_cast<int>(total_files / std::pow(s, 1.5) / norm));
    for (int e = 0; e < 10; ++e) {
      const std::string session = subject + "/ses-" + std::to_string(e);
      nodes.push_back(make_node(session, subject, "session"));
      for (int f = e; f < files; f += 10) nodes.push_back(make_node(session + "/f" + std::to_string(f), session, "file"));
    }
  }
  return MemorySource(make_node(".", "", "project"), std::move(nodes));
}

// Runs the assignments through a Scheduler on `slots` slots (one worker per
// slot); returns makespan / (total weight / slots).
double simulated_makespan_ratio(std::vector<AssignmentSpec> specs, int slots) {
  double total = 0;
  for (const auto& spec : specs) total += static_cast<double>(spec.weight);
  Scheduler scheduler(std::move(specs), SchedulerPolicy{});
  const auto start = Clock::time_point{} + std::chrono::hours(1);
  for (int w = 0; w < slots; ++w) scheduler.hello(Hello{kProtocolVersion, "w" + std::to_string(w), "h", w, 1}, start);
  using Event = std::pair<std::uint64_t, Dispatch>;  // finish time, what finishes
  auto later = [](const Event& a, const Event& b) { return a.first > b.first; };
  std::priority_queue<Event, std::vector<Event>, decltype(later)> running(later);
  std::uint64_t now = 0;
  while (!scheduler.complete()) {
    for (const Dispatch& d : scheduler.next_dispatches(start + std::chrono::milliseconds(now)))
      running.push({now + scheduler.assignments()[d.assignment].spec.weight, d});
    if (running.empty()) break;
    auto [finish, d] = running.top();
    running.pop();
    now = finish;
    scheduler.done(d.worker, Done{kProtocolVersion, d.assignment, d.attempt, 1, 0, 0, 0, true, {}, {}, false, 0, {}});
  }
  EXPECT_TRUE(scheduler.complete());
  return static_cast<double>(now) / (total / slots);
}

TEST(Split, ASkewedTreeIsScheduledWithin15PercentOfIdeal) {
  MemorySource tree = zipf_tree(20000);
  const std::uint64_t biggest = tree.subtree_size("sub-1");
  EXPECT_GT(biggest * 10, tree.size() * 4);  // the first subject holds over 40%
  for (int slots : {2, 4, 8}) {
    const double ratio = simulated_makespan_ratio(partition(tree, PartitionOptions{1, true, 0}, &tree), slots);
    EXPECT_LE(ratio, 1.15) << slots << " slots";
  }
}

TEST(Split, WithoutSplittingTheBiggestSubjectHoldsTheRunBack) {
  MemorySource tree = zipf_tree(20000);
  const double ratio = simulated_makespan_ratio(partition(tree, PartitionOptions{1, false, 0}, &tree), 4);
  EXPECT_GT(ratio, 1.5);  // the test above could fail: this is what it guards against
}

TEST(Split, SplitPiecesCoverEveryNodeOnceAndWaitForTheirParent) {
  MemorySource tree = zipf_tree(5000);
  auto specs = partition(tree, PartitionOptions{1, true, 100}, &tree);
  std::uint64_t covered = 0;
  for (const auto& spec : specs) {
    covered += spec.kind == AssignmentKind::shallow ? 1 + spec.nodes.size() : 1 + spec.nodes.size();
    EXPECT_LE(spec.weight, spec.kind == AssignmentKind::shallow ? spec.weight : 100u) << spec.root.id;
    if (spec.root.id != ".") {
      ASSERT_TRUE(spec.after.has_value()) << spec.root.id;
      EXPECT_EQ(specs[*spec.after].root.id, spec.root.parent);
    }
  }
  EXPECT_EQ(covered, tree.size());
}

TEST(Split, TheHeaviestReadyAssignmentGoesFirst) {
  std::vector<AssignmentSpec> specs(4);
  const std::uint64_t weights[] = {1, 5, 50, 7};
  for (std::uint64_t i = 0; i < 4; ++i) {
    specs[i].id = i;
    specs[i].weight = weights[i];
  }
  Scheduler scheduler(specs, SchedulerPolicy{});
  EXPECT_EQ(scheduler.queue_order(), (std::vector<std::uint64_t>{2, 3, 1, 0}));
}

}  // namespace
}  // namespace ramify
