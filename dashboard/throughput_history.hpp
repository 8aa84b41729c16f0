#pragma once
// The nodes curated over a run, sampled for the dashboard's throughput chart
// in bounded memory: one sample per interval (1 s at first); when kMaxSamples
// are kept, every other one is dropped and the interval doubles.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace ramify {

class ThroughputHistory {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kMaxSamples = 600;

  explicit ThroughputHistory(Clock::time_point start,
                             std::chrono::milliseconds first_interval = std::chrono::seconds(1))
      : next_(start), interval_(first_interval) {}

  // Records `nodes` (a running total) for every interval that has begun by `now`.
  void sample(Clock::time_point now, std::uint64_t nodes);
  Clock::time_point next_due() const { return next_; }
  // {"interval_seconds": I, "nodes": [oldest, ..., newest]}
  std::string json() const;

  const std::vector<std::uint64_t>& samples() const { return samples_; }
  std::chrono::milliseconds interval() const { return interval_; }

 private:
  Clock::time_point next_;
  std::chrono::milliseconds interval_;
  std::vector<std::uint64_t> samples_;
};

}  // namespace ramify
