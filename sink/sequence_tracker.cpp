#include "sink/sequence_tracker.hpp"

#include <algorithm>

namespace ramify {

bool SequenceTracker::accept(std::uint64_t seq) {
  if (seq == 0) return false;
  // The range starting after seq, and the one before it.
  auto next = ranges_.upper_bound(seq);
  if (next != ranges_.begin()) {
    auto prev = std::prev(next);
    if (seq <= prev->second) return false;  // already here
    if (prev->second + 1 == seq) {
      prev->second = seq;
      if (next != ranges_.end() && next->first == seq + 1) {
        prev->second = next->second;
        ranges_.erase(next);
      }
      ++received_;
      return true;
    }
  }
  if (next != ranges_.end() && next->first == seq + 1) {
    const std::uint64_t last = next->second;
    ranges_.erase(next);
    ranges_.emplace(seq, last);
  } else {
    ranges_.emplace(seq, seq);
  }
  ++received_;
  return true;
}

std::uint64_t SequenceTracker::contiguous() const {
  if (ranges_.empty() || ranges_.begin()->first != 1) return 0;
  return ranges_.begin()->second;
}

std::uint64_t SequenceTracker::missing_through(std::uint64_t last) const {
  std::uint64_t have = 0;
  for (const auto& [first, end] : ranges_) {
    if (first > last) break;
    have += std::min(end, last) - first + 1;
  }
  return last - have;
}

}  // namespace ramify
