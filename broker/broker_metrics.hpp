#pragma once
// The broker's Prometheus metrics (`ramify broker --metrics HOST:PORT`): the
// assignments by state and those waiting for a slot (what an autoscaler
// scales on), the workers and their slots, re-dispatches, expired leases and
// hand-backs. Refreshed from the scheduler once a beat; no per-node labels.

#include <memory>
#include <string>

namespace ramify {

class Scheduler;

class BrokerMetrics {
 public:
  // Serves on `bind` (HOST:PORT); throws ConfigError when it cannot.
  explicit BrokerMetrics(const std::string& bind);
  ~BrokerMetrics();

  // http://HOST:PORT/metrics
  const std::string& url() const;
  // Brings every figure up to date with the scheduler.
  void update(const Scheduler& scheduler);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ramify
