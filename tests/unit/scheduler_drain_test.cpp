// A draining worker's hand-backs: dispatched again first, no attempt
// counted, resumed where they stopped, their counts kept; a draining worker
// is given nothing more.

#include <gtest/gtest.h>

#include "broker/scheduler.hpp"

namespace ramify {
namespace {

std::vector<AssignmentSpec> three_subtrees() {
  std::vector<AssignmentSpec> specs;
  for (std::uint64_t i = 0; i < 3; ++i) {
    AssignmentSpec s;
    s.id = i;
    s.root.id = "s" + std::to_string(i);
    s.weight = 10 - i;
    specs.push_back(s);
  }
  return specs;
}

Hello hello(const std::string& id, std::uint32_t slots) { return Hello{kProtocolVersion, id, "h", 1, slots}; }

Heartbeat draining_beat(const std::string& worker) {
  Heartbeat hb;
  hb.worker_id = worker;
  hb.draining = true;
  return hb;
}

// What a draining worker sends for an assignment: `nodes` curated, resume at `visits`.
Done handed_back(const Dispatch& d, std::uint64_t nodes, std::uint64_t visits, OpenData open = {}) {
  Done back;
  back.id = d.assignment;
  back.attempt = d.attempt;
  back.nodes = nodes;
  back.complete = false;
  back.handed_back = true;
  back.resume_visits = visits;
  back.resume_data = std::move(open);
  if (visits > 0) back.root_fields = {{"curated_by", "first"}};
  return back;
}

TEST(SchedulerDrain, AHandBackIsDispatchedFirstWithItsResumePointAndCountsNoAttempt) {
  SchedulerPolicy policy;
  policy.max_attempts = 1;  // a counted attempt would quarantine the assignment
  Scheduler s(three_subtrees(), policy);
  const auto t0 = Clock::now();
  s.hello(hello("a", 2), t0);
  const auto first = s.next_dispatches(t0);
  ASSERT_EQ(first.size(), 2u);

  bool known = false;
  s.heartbeat(draining_beat("a"), t0, known);
  ASSERT_TRUE(known);
  EXPECT_EQ(s.idle_slots(), 0u);
  s.hello(hello("b", 1), t0);
  // The running one handed back after 4 nodes, the unstarted one as it came.
  ASSERT_TRUE(s.done("a", handed_back(first[0], 4, 5, {{first[0].assignment == 0 ? "s0" : "s1", {{"k", "v"}}}})));
  ASSERT_TRUE(s.done("a", handed_back(first[1], 0, 0)));
  EXPECT_EQ(s.handed_back(), 2u);
  EXPECT_EQ(s.redispatched(), 0u);
  EXPECT_TRUE(s.superseded().empty()) << "the rows of a handed-back attempt stand";
  EXPECT_EQ(s.nodes(), 4u);

  // b gets the hand-backs before the assignment never dispatched; a gets nothing.
  auto next = s.next_dispatches(t0);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].worker, "b");
  const AssignmentStatus& resumed = s.assignments()[next[0].assignment];
  EXPECT_TRUE(next[0].assignment == first[0].assignment || next[0].assignment == first[1].assignment);
  EXPECT_EQ(resumed.lost_workers, 0u);
  const AssignmentStatus& rest = s.assignments()[first[0].assignment];
  EXPECT_EQ(rest.skip, 5u);
  EXPECT_EQ(rest.resume_data.size(), 1u);
  EXPECT_EQ(rest.handed_back, 1u);

  // Every assignment finishes on b; the resumed one adds its own nodes.
  for (int round = 0; round < 10 && !s.complete(); ++round) {
    for (const auto& d : next) {
      Done done;
      done.id = d.assignment;
      done.attempt = d.attempt;
      done.nodes = 3;
      ASSERT_TRUE(s.done(d.worker, done));
    }
    next = s.next_dispatches(t0);
    for (const auto& d : next) EXPECT_EQ(d.worker, "b");
  }
  ASSERT_TRUE(s.complete());
  EXPECT_EQ(s.state(), RunState::finished);
  EXPECT_EQ(s.exit_status(), 0);
  EXPECT_EQ(rest.nodes, 4u + 3u);
  EXPECT_EQ(rest.root_fields, (std::vector<std::pair<std::string, std::string>>{{"curated_by", "first"}}))
      << "the root was curated by the attempt before the hand-back";
  EXPECT_EQ(s.nodes(), 4u + 3u * 3u);
}

TEST(SchedulerDrain, AHandBackAfterTheAbortIsAbandoned) {
  Scheduler s(three_subtrees(), SchedulerPolicy{});
  const auto t0 = Clock::now();
  s.hello(hello("a", 1), t0);
  const auto first = s.next_dispatches(t0);
  ASSERT_EQ(first.size(), 1u);
  s.abort("stopped by SIGINT");
  ASSERT_TRUE(s.done("a", handed_back(first[0], 2, 3)));
  EXPECT_EQ(s.assignments()[first[0].assignment].state, AssignmentState::abandoned);
  EXPECT_EQ(s.nodes(), 2u);
}

}  // namespace
}  // namespace ramify
