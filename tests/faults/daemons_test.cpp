// Daemons that die, come back as someone else, or share a name: every run
// ends in a complete report with exit 0, or in a non-zero exit whose last
// line names the cause, and no daemon waits forever.

#include "faults/fault_support.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;
using testing::Background;
using testing::eventually;
using testing::Daemons;
using testing::FaultStudy;

// Waits for a run to end with exit 0 and a complete report; the workers its rows name.
std::set<std::string> workers_of_a_clean_run(Daemons& d) {
  std::set<std::string> workers;
  auto status = d.broker->wait_for(60s);
  EXPECT_TRUE(status.has_value() && *status == 0) << d.broker->err();
  EXPECT_TRUE(d.sink->wait_for(10s).has_value());
  testing::expect_complete_report(d.study);
  for (const auto& row : testing::whole_rows(d.study.report)) workers.insert(row.get("worker"));
  return workers;
}

TEST(Faults, ASinkKilledMidRunAndNotRestartedFailsTheRunWithTheCause) {
  FaultStudy study(6, 10);
  Daemons d(study);
  d.start_broker("broker", {"--report-timeout", "3"});
  d.start_sink();
  for (int i = 0; i < 2; ++i) d.start_worker({"--flush-timeout", "1"});
  ASSERT_TRUE(eventually([&] { return study.marks() >= 10; }, 30s)) << d.broker->err();
  d.sink->signal(SIGKILL);
  auto status = d.broker->wait_for(60s);
  ASSERT_TRUE(status.has_value()) << d.broker->err();
  EXPECT_EQ(*status, 1);
  EXPECT_NE(testing::last_line(d.broker->err()).find("no sink confirmed the report within 3 s"), std::string::npos)
      << d.broker->err();
  for (auto& worker : d.workers) {
    auto worker_status = worker->wait_for(30s);
    ASSERT_TRUE(worker_status.has_value());
    EXPECT_EQ(*worker_status, 4) << "a worker whose records the sink never acknowledged: " << worker->err();
  }
}

TEST(Faults, ASinkKilledUnderRamifyRunStopsTheRunAtOnce) {
  FaultStudy study(6, 10);
  auto args = study.job("0.1");
  args.insert(args.begin(), {"run", "--workers", "2", "--report", study.report});
  Background run(study.dir.str(), "run", args);
  ASSERT_TRUE(eventually([&] { return study.marks() >= 6; }, 30s)) << run.err();
  const auto daemons = testing::children_of(run.pid());
  pid_t sink = 0;
  for (const auto& daemon : daemons)
    if (daemon.command.find(" sink ") != std::string::npos) sink = daemon.pid;
  ASSERT_NE(sink, 0);
  ::kill(sink, SIGKILL);
  auto status = run.wait_for(10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 1);
  EXPECT_NE(testing::last_line(run.err()).find("the sink ended (killed by SIGKILL) before the run did"),
            std::string::npos)
      << run.err();
  for (const auto& daemon : daemons)
    EXPECT_TRUE(eventually([&] { return testing::gone(daemon.pid); }, 5s)) << daemon.command;
  EXPECT_TRUE(eventually([&] { return testing::processes_mentioning(study.progress).empty(); }, 5s));
}

TEST(Faults, TwoWorkersGivenOneIdBothCountAndTheReportIsComplete) {
  FaultStudy study(6, 8);
  Daemons d(study);
  d.start_broker("broker");
  d.start_sink();
  for (int i = 0; i < 2; ++i) d.start_worker({"--id", "copied"});
  const std::set<std::string> workers = workers_of_a_clean_run(d);
  EXPECT_EQ(workers.size(), 2u) << "two processes, two identities";
  for (const auto& worker : workers) EXPECT_EQ(worker.rfind("copied-", 0), 0u) << worker;
}

TEST(Faults, AWorkerRestartedByItsNannyUnderOneIdLosesNoRow) {
  FaultStudy study(6, 10);
  Daemons d(study);
  d.start_broker("broker");
  d.start_sink();
  d.start_worker({"--id", "steady", "--nanny"});
  ASSERT_TRUE(eventually([&] { return study.marks() >= 8; }, 30s)) << d.broker->err();
  pid_t victim = 0;
  ASSERT_TRUE(eventually([&] { return (victim = testing::busy_worker(study.progress)) != 0; }, 10s));
  ::kill(victim, SIGKILL);  // the nanny starts the worker again
  const std::set<std::string> workers = workers_of_a_clean_run(d);
  EXPECT_EQ(workers.size(), 2u) << "the restarted process writes under its own identity";
  EXPECT_TRUE(d.workers[0]->wait_for(20s).has_value());
}

TEST(Faults, ABrokerRestartedWithoutItsJournalEndsEveryDaemonWithTheCause) {
  FaultStudy study(6, 10);
  Daemons d(study);
  d.start_broker("broker1");
  d.start_sink();
  for (int i = 0; i < 2; ++i) d.start_worker({"--flush-timeout", "1"});
  ASSERT_TRUE(eventually([&] { return study.marks() >= 10; }, 30s)) << d.broker->err();
  d.broker->signal(SIGKILL);
  ASSERT_TRUE(d.broker->wait_for(5s).has_value());
  d.start_broker("broker2", {"--sink-timeout", "3"});  // a new run: its id differs
  auto sink_status = d.sink->wait_for(30s);
  ASSERT_TRUE(sink_status.has_value()) << "the sink waits forever";
  EXPECT_EQ(*sink_status, 1);
  EXPECT_NE(testing::last_line(d.sink->err()).find("now runs another run"), std::string::npos) << d.sink->err();
  EXPECT_NE(d.sink->out().find("report NOT complete"), std::string::npos) << d.sink->out();
  for (auto& worker : d.workers) {
    auto worker_status = worker->wait_for(30s);
    ASSERT_TRUE(worker_status.has_value()) << "a worker waits forever";
    EXPECT_EQ(*worker_status, 3) << worker->err();
  }
  auto broker_status = d.broker->wait_for(30s);
  ASSERT_TRUE(broker_status.has_value()) << "the new broker waits forever";
  EXPECT_EQ(*broker_status, 1);
  EXPECT_NE(testing::last_line(d.broker->err()).find("no sink joined the run within 3 s"), std::string::npos)
      << d.broker->err();
}

TEST(Faults, ARunWhoseWorkersNeverComeFailsAfterWorkerWaitWithTheCause) {
  FaultStudy study(2, 2);
  Daemons d(study);
  d.start_broker("broker", {"--worker-wait", "2"});
  d.start_sink();
  auto broker_status = d.broker->wait_for(30s);
  ASSERT_TRUE(broker_status.has_value()) << "the broker waits forever for workers";
  EXPECT_EQ(*broker_status, 1);
  EXPECT_NE(testing::last_line(d.broker->err()).find("no live worker for 2 s with work left"), std::string::npos)
      << d.broker->err();
  auto sink_status = d.sink->wait_for(30s);
  ASSERT_TRUE(sink_status.has_value());
  EXPECT_EQ(*sink_status, 1);
  EXPECT_NE(d.sink->out().find("no live worker"), std::string::npos) << d.sink->out();
}

TEST(Faults, ASinkWhoseBrokerIsGoneEndsAfterBrokerWait) {
  FaultStudy study(6, 10);
  Daemons d(study);
  d.start_broker("broker");
  d.start_sink({"--broker-wait", "2"});
  d.start_worker({"--broker-wait", "2", "--flush-timeout", "1"});
  ASSERT_TRUE(eventually([&] { return study.marks() >= 5; }, 30s)) << d.broker->err();
  d.broker->signal(SIGKILL);
  const auto killed_at = std::chrono::steady_clock::now();
  auto sink_status = d.sink->wait_for(30s);
  ASSERT_TRUE(sink_status.has_value()) << "the sink waits forever";
  EXPECT_LT(std::chrono::steady_clock::now() - killed_at, 10s);
  EXPECT_EQ(*sink_status, 1);
  EXPECT_NE(testing::last_line(d.sink->err()).find("fell silent for 2 s"), std::string::npos) << d.sink->err();
  auto worker_status = d.workers[0]->wait_for(30s);
  ASSERT_TRUE(worker_status.has_value());
  EXPECT_EQ(*worker_status, 3);
  // What the report holds is whole.
  for (const auto& [id, count] : testing::outcome_counts(testing::whole_rows(study.report))) EXPECT_EQ(count, 1) << id;
}

}  // namespace
}  // namespace ramify
