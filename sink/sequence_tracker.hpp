#pragma once
// Which sequence numbers of one worker the sink has, as disjoint ranges.

#include <cstdint>
#include <map>

namespace ramify {

class SequenceTracker {
 public:
  // True when `seq` (>= 1) is new; it is then recorded.
  bool accept(std::uint64_t seq);
  // The highest N such that 1..N are all here (0 when 1 is missing).
  std::uint64_t contiguous() const;
  // How many of 1..last are missing.
  std::uint64_t missing_through(std::uint64_t last) const;
  std::uint64_t received() const { return received_; }

 private:
  std::map<std::uint64_t, std::uint64_t> ranges_;  // first -> last, disjoint, not adjacent
  std::uint64_t received_ = 0;
};

}  // namespace ramify
