// Broker, sink and two workers in one process, over inproc:// endpoints of
// one ZMQ context that the test owns: the daemons take their context from
// outside, and nothing but the daemons' own code runs between them.

#include <gtest/gtest.h>
#include <zmq.hpp>

#include <future>
#include <map>

#include "broker/broker.hpp"
#include "sink/sink.hpp"
#include "spec/job_spec.hpp"
#include "support/ramify_binary.hpp"
#include "support/small_tree.hpp"
#include "worker/worker.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;

const auto kRunDeadline = 60s * testing::kSlowdown;

TEST(InProcessRun, BrokerSinkAndTwoWorkersWriteACompleteReport) {
  testing::TempDir dir;
  const std::string root = testing::make_tree(dir, 4, 5);  // 1 + 4 * (1 + 5) = 25 nodes
  const std::string report = dir.str() + "/report.jsonl";
  zmq::context_t context(1);

  BrokerOptions broker_options;
  broker_options.spec = JobSpec::from_text(
      "[job]\nroot = " + root + "\nlevels = project,subject\ncurator = inventory\nheartbeat = 0.2\n", "inproc.ini");
  broker_options.bind = "inproc://broker";
  broker_options.context = &context;
  Broker broker(broker_options);

  SinkOptions sink_options;
  sink_options.bind = "inproc://sink";
  sink_options.broker = "inproc://broker";
  sink_options.report = report;
  sink_options.quiet = true;
  sink_options.context = &context;
  Sink sink(sink_options);

  std::vector<std::unique_ptr<Worker>> workers;
  for (const char* name : {"one", "two"}) {
    WorkerOptions options;
    options.broker = "inproc://broker";
    options.sink = "inproc://sink";
    options.name = name;
    options.concurrency = 2;
    options.context = &context;
    workers.push_back(std::make_unique<Worker>(options));
  }

  auto broker_exit = std::async(std::launch::async, [&] { return broker.run(); });
  auto sink_exit = std::async(std::launch::async, [&] { return sink.run(); });
  std::vector<std::future<int>> worker_exits;
  for (auto& worker : workers) worker_exits.push_back(std::async(std::launch::async, [&w = *worker] { return w.run(); }));

  const auto deadline = std::chrono::steady_clock::now() + kRunDeadline;
  const bool ended = broker_exit.wait_until(deadline) == std::future_status::ready;
  if (!ended) {  // say so, and stop everyone, rather than hang
    broker.request_stop(SIGTERM);
    broker.request_stop(SIGTERM);
    sink.request_stop(SIGTERM);
    sink.request_stop(SIGTERM);
    for (auto& worker : workers) {
      worker->request_stop(SIGTERM);
      worker->request_stop(SIGTERM);
    }
  }
  ASSERT_TRUE(ended) << "the run did not end within " << kRunDeadline.count() << " s";
  EXPECT_EQ(broker_exit.get(), 0);
  ASSERT_EQ(sink_exit.wait_until(deadline), std::future_status::ready);
  EXPECT_EQ(sink_exit.get(), 0);
  for (auto& exit : worker_exits) {
    ASSERT_EQ(exit.wait_until(deadline), std::future_status::ready);
    EXPECT_EQ(exit.get(), 0);
  }

  // One ok outcome per node.
  std::map<std::string, int> outcomes;
  for (const auto& row : testing::outcomes(testing::read_report(report))) {
    ++outcomes[row.get("container_id")];
    EXPECT_EQ(row.get("status"), "ok") << row.get("container_id");
  }
  EXPECT_EQ(outcomes.size(), 25u);
  for (const auto& [id, count] : outcomes) EXPECT_EQ(count, 1) << id;
}

}  // namespace
}  // namespace ramify
