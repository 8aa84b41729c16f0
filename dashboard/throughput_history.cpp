#include "dashboard/throughput_history.hpp"

namespace ramify {

void ThroughputHistory::sample(Clock::time_point now, std::uint64_t nodes) {
  while (now >= next_) {
    if (samples_.size() == kMaxSamples) {
      // Keep the samples at even positions: they stay one (doubled) interval apart.
      std::size_t kept = 0;
      for (std::size_t i = 0; i < samples_.size(); i += 2) samples_[kept++] = samples_[i];
      samples_.resize(kept);
      interval_ *= 2;  // next_ is already one doubled interval after the last sample kept
    }
    samples_.push_back(nodes);
    next_ += interval_;
  }
}

std::string ThroughputHistory::json() const {
  std::string out =
      "{\"interval_seconds\":" + std::to_string(static_cast<double>(interval_.count()) / 1000.0) + ",\"nodes\":[";
  for (std::size_t i = 0; i < samples_.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(samples_[i]);
  }
  return out + "]}";
}

}  // namespace ramify
