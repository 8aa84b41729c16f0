#include <gtest/gtest.h>

#include "broker/scheduler.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;

// One shallow root assignment (id 0) and `subtrees` subtrees that wait for it.
std::vector<AssignmentSpec> plan(std::size_t subtrees) {
  std::vector<AssignmentSpec> specs;
  AssignmentSpec root;
  root.id = 0;
  root.kind = AssignmentKind::shallow;
  root.root.id = ".";
  specs.push_back(root);
  for (std::size_t i = 1; i <= subtrees; ++i) {
    AssignmentSpec s;
    s.id = i;
    s.root.id = "s" + std::to_string(i);
    s.after = 0;
    specs.push_back(s);
  }
  return specs;
}

Hello hello(const std::string& id, std::uint32_t slots) { return Hello{kProtocolVersion, id, "h", 1, slots}; }
Done done(const Dispatch& d, std::uint64_t nodes = 1) { return Done{kProtocolVersion, d.assignment, d.attempt, nodes, 0, 0, 0, true, {}, {}, false, 0, {}}; }

class SchedulerTest : public ::testing::Test {
 protected:
  Clock::time_point t0 = Clock::now();
  SchedulerPolicy policy;
  std::unique_ptr<Scheduler> s;

  void make(std::size_t subtrees) { s = std::make_unique<Scheduler>(plan(subtrees), policy); }
  // Runs every dispatched assignment to DONE, as many rounds as needed.
  void finish_everything() {
    for (int round = 0; round < 100 && !s->complete(); ++round)
      for (const auto& d : s->next_dispatches(t0)) s->done(d.worker, done(d));
  }
};

TEST_F(SchedulerTest, NeverGivesAWorkerMoreThanItsFreeSlots) {
  make(5);
  s->hello(hello("w1", 1), t0);
  s->hello(hello("w2", 2), t0);
  auto first = s->next_dispatches(t0);
  ASSERT_EQ(first.size(), 1u);  // only the root is ready
  EXPECT_EQ(first[0].assignment, 0u);
  EXPECT_EQ(first[0].worker, "w2");  // the worker with the most free slots
  EXPECT_TRUE(s->next_dispatches(t0).empty());
  ASSERT_TRUE(s->done("w2", done(first[0])));
  auto second = s->next_dispatches(t0);
  EXPECT_EQ(second.size(), 3u);  // w1: 1 slot, w2: 2 slots
  std::map<std::string, int> per_worker;
  for (const auto& d : second) ++per_worker[d.worker];
  EXPECT_EQ(per_worker["w1"], 1);
  EXPECT_EQ(per_worker["w2"], 2);
  for (const auto& d : second) s->done(d.worker, done(d));
  finish_everything();
  EXPECT_TRUE(s->complete());
  EXPECT_EQ(s->exit_status(), 0);
  EXPECT_EQ(s->state(), RunState::finished);
  EXPECT_EQ(s->nodes(), 6u);
}

TEST_F(SchedulerTest, ADeadWorkersAssignmentsGoElsewhereWithTheNextAttempt) {
  make(1);
  s->hello(hello("w1", 1), t0);
  s->done("w1", done(s->next_dispatches(t0).at(0)));
  auto d = s->next_dispatches(t0).at(0);
  EXPECT_EQ(d.attempt, 1u);
  EXPECT_TRUE(s->started("w1", Started{kProtocolVersion, d.assignment, d.attempt}));

  s->hello(hello("w2", 1), t0 + 2500ms);
  auto dead = s->expire(t0 + 3500ms);  // w1 silent for more than 3 s
  EXPECT_EQ(dead, std::vector<std::string>{"w1"});
  auto again = s->next_dispatches(t0 + 3500ms).at(0);
  EXPECT_EQ(again.assignment, d.assignment);
  EXPECT_EQ(again.attempt, 2u);
  EXPECT_EQ(again.worker, "w2");
  EXPECT_EQ(s->superseded(), (std::vector<AssignmentRef>{{d.assignment, 1}}));

  // The old attempt's late results count for nothing.
  EXPECT_FALSE(s->done("w1", done(d)));
  EXPECT_FALSE(s->node_failed("w1", NodeFailed{kProtocolVersion, d.assignment, 1, "n", "file", "late"}));
  EXPECT_EQ(s->failures(), 0u);
  EXPECT_TRUE(s->done("w2", done(again)));
  EXPECT_TRUE(s->complete());
  EXPECT_EQ(s->exit_status(), 0);
}

TEST_F(SchedulerTest, AnAssignmentThatKeepsLosingItsWorkerIsQuarantined) {
  policy.max_attempts = 2;
  make(1);
  s->hello(hello("w0", 1), t0);
  s->done("w0", done(s->next_dispatches(t0).at(0)));
  s->worker_lost("w0", "test");
  s->hello(hello("w1", 1), t0);
  s->next_dispatches(t0);
  s->worker_lost("w1", "crashed");
  s->hello(hello("w2", 1), t0);
  auto d = s->next_dispatches(t0);
  ASSERT_EQ(d.size(), 1u);
  s->worker_lost("w2", "crashed");
  EXPECT_TRUE(s->complete());
  EXPECT_EQ(s->assignments()[1].state, AssignmentState::quarantined);
  EXPECT_EQ(s->exit_status(), 1);
  EXPECT_NE(s->first_failure().find("quarantined after 2 attempts"), std::string::npos);
}

TEST_F(SchedulerTest, KillStopsDispatchingAtTheFirstFailure) {
  make(4);
  s->hello(hello("w1", 2), t0);
  s->done("w1", done(s->next_dispatches(t0).at(0)));
  auto running = s->next_dispatches(t0);
  ASSERT_EQ(running.size(), 2u);
  EXPECT_TRUE(s->node_failed("w1", NodeFailed{kProtocolVersion, running[0].assignment, 1, "s1/x", "file", "boom"}));
  EXPECT_EQ(s->state(), RunState::aborted);
  EXPECT_EQ(s->count(AssignmentState::abandoned), 2u);  // the two never dispatched
  EXPECT_TRUE(s->next_dispatches(t0).empty());
  EXPECT_FALSE(s->complete());
  s->done("w1", Done{kProtocolVersion, running[0].assignment, 1, 1, 1, 0, 0, false, {}, {}, false, 0, {}});
  s->done("w1", Done{kProtocolVersion, running[1].assignment, 1, 0, 0, 0, 0, false, {}, {}, false, 0, {}});
  EXPECT_TRUE(s->complete());
  EXPECT_EQ(s->exit_status(), 1);
  EXPECT_EQ(s->first_failure(), "s1/x (file): boom");
  EXPECT_TRUE(s->superseded().empty());  // the stopped attempts' rows still count
}

TEST_F(SchedulerTest, FinishLetsRunningAssignmentsEndButDispatchesNothingNew) {
  policy.on_failure = FailurePolicy::finish;
  make(4);
  s->hello(hello("w1", 2), t0);
  s->done("w1", done(s->next_dispatches(t0).at(0)));
  auto running = s->next_dispatches(t0);
  s->node_failed("w1", NodeFailed{kProtocolVersion, running[0].assignment, 1, "x", "file", "boom"});
  EXPECT_EQ(s->state(), RunState::draining);
  EXPECT_TRUE(s->next_dispatches(t0).empty());
  s->done("w1", done(running[0]));
  s->done("w1", done(running[1]));
  EXPECT_TRUE(s->complete());
  EXPECT_EQ(s->assignments()[running[1].assignment].state, AssignmentState::done);
  EXPECT_EQ(s->exit_status(), 1);
}

TEST_F(SchedulerTest, ContinueCuratesEverythingAndStillFails) {
  policy.on_failure = FailurePolicy::keep_going;
  make(3);
  s->hello(hello("w1", 4), t0);
  s->done("w1", done(s->next_dispatches(t0).at(0)));
  auto running = s->next_dispatches(t0);
  ASSERT_EQ(running.size(), 3u);
  s->node_failed("w1", NodeFailed{kProtocolVersion, running[0].assignment, 1, "x", "file", "boom"});
  EXPECT_EQ(s->state(), RunState::running);
  for (const auto& d : running) s->done("w1", done(d));
  EXPECT_TRUE(s->complete());
  EXPECT_EQ(s->count(AssignmentState::done), 4u);
  EXPECT_EQ(s->exit_status(), 1);
}

TEST_F(SchedulerTest, MaxFailuresKillsOnceReached) {
  policy.max_failures = 2;
  make(3);
  s->hello(hello("w1", 4), t0);
  s->done("w1", done(s->next_dispatches(t0).at(0)));
  auto running = s->next_dispatches(t0);
  s->node_failed("w1", NodeFailed{kProtocolVersion, running[0].assignment, 1, "x", "file", "boom"});
  EXPECT_EQ(s->state(), RunState::running);
  s->node_failed("w1", NodeFailed{kProtocolVersion, running[0].assignment, 1, "x", "file", "again"});
  EXPECT_EQ(s->state(), RunState::running);  // the same node counts once
  s->node_failed("w1", NodeFailed{kProtocolVersion, running[1].assignment, 1, "y", "file", "boom"});
  EXPECT_EQ(s->state(), RunState::aborted);
}

TEST_F(SchedulerTest, AnAssignmentTheWorkerNeverMentionsIsDispatchedAgain) {
  make(0);
  s->hello(hello("w1", 1), t0);
  auto d = s->next_dispatches(t0).at(0);
  bool known = false;
  Heartbeat hb{kProtocolVersion, "w1", 1, {}, 0, 0, false, {}};
  s->heartbeat(hb, t0 + 500ms, known);
  EXPECT_TRUE(known);
  EXPECT_EQ(s->assignments()[0].state, AssignmentState::dispatched);  // still within the grace period
  s->heartbeat(hb, t0 + 2500ms, known);
  EXPECT_EQ(s->assignments()[0].state, AssignmentState::queued);
  EXPECT_EQ(s->next_dispatches(t0 + 2500ms).at(0).attempt, d.attempt + 1);
}

TEST_F(SchedulerTest, AForgottenWorkerIsToldToCancelWhatItRuns) {
  make(0);
  bool known = true;
  auto cancel = s->heartbeat(Heartbeat{kProtocolVersion, "ghost", 0, {{0, 1}}, 0, 0, false, {}}, t0, known);
  EXPECT_FALSE(known);
  EXPECT_EQ(cancel, (std::vector<AssignmentRef>{{0, 1}}));
}

TEST_F(SchedulerTest, AbortFromOutsideFailsTheRun) {
  make(2);
  s->abort("stopped by a signal");
  EXPECT_TRUE(s->complete());
  EXPECT_EQ(s->exit_status(), 1);
  EXPECT_EQ(s->first_failure(), "stopped by a signal");
}

}  // namespace
}  // namespace ramify

namespace ramify {
namespace {

TEST(SchedulerRestore, ASameRunRestartKeepsWhatIsDoneAndRunsTheRestWithTheNextAttempt) {
  SchedulerPolicy policy;
  std::vector<RestoredAssignment> restored{{0, true, false, 1, 1, 0, 0}, {1, true, false, 2, 5, 0, 0},
                                           {2, false, false, 1, 0, 0, 0}};
  Scheduler s(plan(3), policy, restored);
  EXPECT_EQ(s.count(AssignmentState::done), 2u);
  EXPECT_EQ(s.nodes(), 6u);
  EXPECT_EQ(s.superseded(), (std::vector<AssignmentRef>{{2, 1}}));
  s.hello(hello("w", 2), Clock::now());
  auto d = s.next_dispatches(Clock::now());
  ASSERT_EQ(d.size(), 2u);  // assignment 2 (attempt 2) and 3 (never dispatched)
  EXPECT_EQ(d[0].assignment, 2u);
  EXPECT_EQ(d[0].attempt, 2u);
  EXPECT_EQ(d[1].assignment, 3u);
  EXPECT_EQ(d[1].attempt, 1u);
}

TEST(SchedulerRestore, ARerunSkipsWhatAnEarlierRunDidCleanly) {
  std::vector<RestoredAssignment> restored{{0, true, true, 1, 1, 0, 0}, {1, true, true, 1, 5, 0, 0}};
  Scheduler s(plan(2), SchedulerPolicy{}, restored);
  EXPECT_EQ(s.skipped_from_earlier_run(), 2u);
  EXPECT_EQ(s.nodes(), 0u);
  s.hello(hello("w", 2), Clock::now());
  auto d = s.next_dispatches(Clock::now());
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].assignment, 2u);
  s.done("w", done(d[0]));
  EXPECT_TRUE(s.complete());
  EXPECT_EQ(s.exit_status(), 0);
}

TEST(SchedulerHello, TheSameProcessSayingHelloAgainKeepsItsAssignments) {
  Scheduler s(plan(1), SchedulerPolicy{});
  const auto t0 = Clock::now();
  s.hello(Hello{kProtocolVersion, "w", "h", 7, 1}, t0);
  auto d = s.next_dispatches(t0).at(0);
  s.hello(Hello{kProtocolVersion, "w", "h", 7, 1}, t0);
  EXPECT_EQ(s.assignments()[0].state, AssignmentState::dispatched);
  EXPECT_TRUE(s.done("w", done(d)));
  s.hello(Hello{kProtocolVersion, "w", "h", 8, 1}, t0);  // another process with the same id: a restart
  auto again = s.next_dispatches(t0).at(0);
  s.hello(Hello{kProtocolVersion, "w", "h", 9, 1}, t0);
  EXPECT_EQ(s.assignments()[again.assignment].state, AssignmentState::queued);
  EXPECT_EQ(s.superseded().size(), 1u);
}

// A worker lost after it finished an attempt whose rows its heartbeats had not
// yet seen acknowledged: the finish must tell the sink how many rows it owes.
TEST(SchedulerUndelivered, ADeadWorkersDoneAttemptsPastItsAcknowledgementsAreUnconfirmed) {
  Scheduler s(plan(2), SchedulerPolicy{});
  const auto t0 = Clock::now();
  s.hello(hello("w", 2), t0);
  auto root = s.next_dispatches(t0).at(0);
  Done root_done = done(root);
  root_done.last_seq = 10;
  root_done.records = 10;
  s.done("w", root_done);
  bool known = false;
  Heartbeat acked{kProtocolVersion, "w", 2, {}, 12, 10, false, {}};
  s.heartbeat(acked, t0, known);  // the sink has 1..10: the root's rows are all there
  auto subtrees = s.next_dispatches(t0);
  ASSERT_EQ(subtrees.size(), 2u);
  Done first = done(subtrees[0]);
  first.last_seq = 20;
  first.records = 8;
  s.done("w", first);
  Done second = done(subtrees[1]);
  second.last_seq = 30;
  second.records = 10;
  s.done("w", second);
  acked.acked_seq = 20;
  s.heartbeat(acked, t0, known);  // the first subtree's rows are acknowledged too
  EXPECT_TRUE(s.unconfirmed().empty());  // a live worker delivers everything
  s.worker_lost("w", "it did not say goodbye");
  EXPECT_EQ(s.unconfirmed(),
            (std::vector<UnconfirmedAttempt>{{"w", subtrees[1].assignment, subtrees[1].attempt, 10}}));
}

TEST(SchedulerUndelivered, WhileTheRunGoesOnALostWorkersUndeliveredDoneAttemptIsRunAgain) {
  Scheduler s(plan(2), SchedulerPolicy{});
  const auto t0 = Clock::now();
  s.hello(hello("w1", 1), t0);
  Done root_done = done(s.next_dispatches(t0).at(0), 5);
  root_done.last_seq = 9;
  root_done.records = 9;
  s.done("w1", root_done);
  auto first = s.next_dispatches(t0).at(0);  // w1 runs one subtree; the other waits
  EXPECT_EQ(s.nodes(), 5u);
  s.worker_lost("w1", "it missed its heartbeats");
  // The root was done, but none of its rows were acknowledged: it is run again, as is the subtree.
  EXPECT_EQ(s.assignments()[0].state, AssignmentState::queued);
  EXPECT_EQ(s.nodes(), 0u);
  EXPECT_EQ(s.superseded(), (std::vector<AssignmentRef>{{first.assignment, 1}, {0, 1}}));
  EXPECT_TRUE(s.unconfirmed().empty());  // what was run again is not owed
  s.hello(hello("w2", 3), t0);
  for (int round = 0; round < 5 && !s.complete(); ++round)
    for (const auto& d : s.next_dispatches(t0)) EXPECT_TRUE(s.done(d.worker, done(d)));
  EXPECT_TRUE(s.complete());
  EXPECT_EQ(s.assignments()[0].attempt, 2u);
  EXPECT_EQ(s.nodes(), 3u);
  EXPECT_EQ(s.exit_status(), 0);
}

TEST(SchedulerUndelivered, TheWaitForGoodbyesLastsWhileAWorkersRecordsAreAcknowledged) {
  Scheduler s(plan(0), SchedulerPolicy{});
  const auto t0 = Clock::now();
  s.hello(hello("w", 1), t0);
  Done d = done(s.next_dispatches(t0).at(0));
  d.last_seq = 100;
  d.records = 100;
  s.done("w", d);
  const auto stopped = t0 + 1s;
  EXPECT_EQ(s.goodbyes_due(stopped, 5s), stopped + 5s);
  bool known = false;
  s.heartbeat(Heartbeat{kProtocolVersion, "w", 1, {}, 100, 40, false, {}}, t0 + 4s, known);
  EXPECT_EQ(s.goodbyes_due(stopped, 5s), t0 + 9s);  // the sink acknowledged more at 4 s
  s.heartbeat(Heartbeat{kProtocolVersion, "w", 1, {}, 100, 40, false, {}}, t0 + 8s, known);
  EXPECT_EQ(s.goodbyes_due(stopped, 5s), t0 + 9s);  // nothing more acknowledged: no longer
  s.heartbeat(Heartbeat{kProtocolVersion, "w", 1, {}, 100, 100, false, {}}, t0 + 8s, known);
  EXPECT_EQ(s.goodbyes_due(stopped, 5s), stopped + 5s);  // all delivered: only the plain wait
}

}  // namespace
}  // namespace ramify
