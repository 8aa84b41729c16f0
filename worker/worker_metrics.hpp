#pragma once
// A worker's Prometheus metrics (`ramify worker --metrics HOST:PORT`): its
// slots and how many are busy, whether it drains, the assignments it
// finished or handed back, the nodes that failed on it, and its records:
// sent to the sink and not yet acknowledged.

#include <cstdint>
#include <memory>
#include <string>

namespace ramify {

class WorkerMetrics {
 public:
  // Serves on `bind` (HOST:PORT); throws ConfigError when it cannot.
  explicit WorkerMetrics(const std::string& bind);
  ~WorkerMetrics();

  const std::string& url() const;
  void assignment_done(bool handed_back);
  void node_failed();
  void records_sent(std::uint32_t count);
  // The figures of the moment (once a loop turn).
  void update(std::size_t slots, std::uint32_t busy, bool draining, std::uint64_t unacknowledged);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ramify
