// What the broker counts while a run goes on: nodes move per node (from the
// workers' heartbeats), failures are counted once, at once, as the nodes
// say, and a stopped run says why and counts only what really ran.

#include <gtest/gtest.h>

#include "broker/progress.hpp"
#include "broker/scheduler.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;

std::vector<AssignmentSpec> subtrees(std::size_t n) {
  std::vector<AssignmentSpec> specs;
  for (std::size_t i = 0; i < n; ++i) {
    AssignmentSpec s;
    s.id = i;
    s.root.id = "s" + std::to_string(i);
    specs.push_back(s);
  }
  return specs;
}

class SchedulerCounts : public ::testing::Test {
 protected:
  Clock::time_point t0 = Clock::now();
  SchedulerPolicy policy;
  std::unique_ptr<Scheduler> s;

  void make(std::size_t n) {
    s = std::make_unique<Scheduler>(subtrees(n), policy);
    s->hello(Hello{kProtocolVersion, "w1", "h", 1, 4}, t0);
  }
  void beat(const Dispatch& d, std::uint64_t nodes, std::uint64_t skipped = 0) {
    bool known = false;
    Heartbeat hb;
    hb.worker_id = d.worker;
    hb.running = {{d.assignment, d.attempt}};
    hb.counts = {{d.assignment, d.attempt, nodes, skipped}};
    s->heartbeat(hb, t0, known);
  }
  void fail(const Dispatch& d, const std::string& node) {
    s->node_failed(d.worker, NodeFailed{kProtocolVersion, d.assignment, d.attempt, node, "file", "boom"});
  }
};

TEST_F(SchedulerCounts, NodesMoveWithTheHeartbeatsBeforeAnAssignmentEnds) {
  make(2);
  auto d = s->next_dispatches(t0);
  ASSERT_EQ(d.size(), 2u);
  beat(d[0], 10, 1);
  beat(d[1], 5);
  EXPECT_EQ(s->nodes(), 15u);
  EXPECT_EQ(s->nodes_skipped(), 1u);
  beat(d[0], 12, 1);  // a later beat replaces the earlier figure
  EXPECT_EQ(s->nodes(), 17u);
  s->done(d[0].worker, Done{kProtocolVersion, d[0].assignment, d[0].attempt, 13, 0, 2, 0, true, {}, {}, false, 0, {}});
  EXPECT_EQ(s->nodes(), 18u);  // the final count replaces what the heartbeats said
  EXPECT_EQ(s->nodes_skipped(), 2u);
}

TEST_F(SchedulerCounts, FailuresAreCountedAsTheNodesFailNotWhenTheirAssignmentEnds) {
  policy.on_failure = FailurePolicy::keep_going;
  make(2);
  auto d = s->next_dispatches(t0);
  fail(d[0], "s0/a");
  fail(d[0], "s0/b");
  fail(d[1], "s1/a");
  fail(d[1], "s1/a");  // told twice (a leave that failed too): one failed node
  EXPECT_EQ(s->failures(), 3u);
  EXPECT_EQ(s->nodes_failed(), 3u);  // today's status said failures 3, nodes failed 0, until DONE
  s->done(d[0].worker, Done{kProtocolVersion, d[0].assignment, d[0].attempt, 5, 2, 0, 0, true, {}, {}, false, 0, {}});
  EXPECT_EQ(s->nodes_failed(), 3u);
  EXPECT_EQ(s->failures(), s->nodes_failed() + s->run_failures());
}

TEST_F(SchedulerCounts, TheFailuresOfAnAttemptRunAgainNoLongerCount) {
  policy.on_failure = FailurePolicy::keep_going;
  make(1);
  auto d = s->next_dispatches(t0).at(0);
  fail(d, "s0/a");
  EXPECT_EQ(s->failures(), 1u);
  s->hello(Hello{kProtocolVersion, "w2", "h", 2, 4}, t0);
  s->worker_lost("w1", "it missed its heartbeats");  // the attempt is run again elsewhere
  EXPECT_EQ(s->nodes_failed(), 0u);
  auto again = s->next_dispatches(t0).at(0);
  EXPECT_EQ(again.attempt, d.attempt + 1);
  fail(again, "s0/a");
  EXPECT_EQ(s->failures(), 1u);
  EXPECT_EQ(s->nodes_failed(), 1u);
}

TEST_F(SchedulerCounts, AQuarantinedAssignmentIsAFailureOfNoNode) {
  policy.max_attempts = 1;
  policy.on_failure = FailurePolicy::keep_going;
  make(1);
  s->next_dispatches(t0);
  s->worker_lost("w1", "it died");
  EXPECT_EQ(s->failures(), 1u);
  EXPECT_EQ(s->nodes_failed(), 0u);
  EXPECT_EQ(s->run_failures(), 1u);
}

TEST_F(SchedulerCounts, AStoppedRunSaysWhyAndKeepsWhatRan) {
  make(3);
  auto d = s->next_dispatches(t0);
  beat(d[0], 4);
  s->abort("stopped by SIGINT");
  EXPECT_EQ(s->state(), RunState::aborted);
  EXPECT_EQ(s->stop_reason(), "stopped by SIGINT");
  s->worker_lost("w1", "it left");  // its running assignments are given up, not run again
  EXPECT_EQ(s->nodes(), 4u);        // what its worker had curated is in the report
  EXPECT_EQ(s->count(AssignmentState::abandoned), 3u);
  EXPECT_EQ(s->count(AssignmentState::done), 0u);
}

TEST_F(SchedulerCounts, ThePolicyThatStoppedTheRunIsNamed) {
  make(2);
  auto d = s->next_dispatches(t0);
  fail(d[0], "s0/a");
  EXPECT_EQ(s->stop_reason(), "a node failed (on_failure = kill)");
  policy.max_failures = 2;
  make(2);
  d = s->next_dispatches(t0);
  fail(d[0], "s0/a");
  EXPECT_EQ(s->stop_reason(), "");
  fail(d[1], "s1/a");
  EXPECT_EQ(s->stop_reason(), "2 failure(s) reached max_failures = 2");
}

TEST(ProgressLine, AStoppingRunSaysSoAndCountsOnlyWhatIsDone) {
  ProgressFigures f;
  f.assignments = 17;
  f.assignments_done = 5;
  f.assignments_running = 2;
  f.assignments_not_run = 10;
  f.nodes = 120;
  f.workers = 2;
  f.state = RunState::aborted;
  f.stop_reason = "stopped by SIGINT";
  const std::string stopping = Progress::format(f, std::chrono::seconds(10));
  EXPECT_EQ(stopping,
            "progress: stopping, stopped by SIGINT | assignments 5/17 done, 2 running, 10 not run | nodes 120 (12/s) | "
            "failures 0 | workers 2");
  f.assignments_running = 0;
  f.assignments_not_run = 12;
  const std::string aborted = Progress::format(f, std::chrono::seconds(10));
  EXPECT_EQ(aborted.rfind("progress: aborted, stopped by SIGINT | assignments 5/17 done, 0 running, 12 not run", 0), 0u)
      << aborted;
  EXPECT_EQ(aborted.find("ETA"), std::string::npos);
  f.state = RunState::draining;
  f.stop_reason = "a node failed (on_failure = finish): running assignments finish, nothing new starts";
  EXPECT_EQ(Progress::format(f, std::chrono::seconds(10)).rfind("progress: finishing, a node failed", 0), 0u);
}

}  // namespace
}  // namespace ramify
