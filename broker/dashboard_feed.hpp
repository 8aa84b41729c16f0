#pragma once
// What the broker's dashboard shows (`--http`), gathered on the broker's loop
// and published to the dashboard's server as one JSON snapshot every
// kPublishEvery: the run's status (as `ramify status --json`), the outcome
// rows by level and the last log records (the sink's digest), the throughput
// over time, what each worker runs, and the last failures with their errors.

#include <chrono>
#include <deque>
#include <memory>
#include <string>

#include "dashboard/throughput_history.hpp"
#include "protocol/messages.hpp"

namespace ramify {

class BrokerRun;
class DashboardServer;

class DashboardFeed {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kPublishEvery{500};
  static constexpr std::size_t kFailures = 50;

  // Serves on `bind` with `token` ("" = none); throws ConfigError when it cannot listen there.
  DashboardFeed(const std::string& bind, const std::string& token, Clock::time_point started_at);
  ~DashboardFeed();

  const std::string& url() const;
  void node_failed(const std::string& worker, const NodeFailed& failed);
  void sink_beat(const SinkBeat& beat);
  // Samples and publishes when due (or at once with `now_anyway`).
  void update(const BrokerRun& run, Clock::time_point now, bool now_anyway = false);
  Clock::time_point next_due() const;

 private:
  std::string snapshot(const BrokerRun& run, Clock::time_point now) const;

  std::unique_ptr<DashboardServer> server_;
  ThroughputHistory throughput_;
  std::deque<std::string> failures_;  // JSON objects, oldest first
  SinkBeat sink_;
  Clock::time_point next_publish_{};
};

}  // namespace ramify
