#pragma once
// How many rows of each attempt one worker's batches brought. A worker lost
// after it had finished an attempt, but before the sink acknowledged all of
// that attempt's rows, is checked against this (Finish::unconfirmed): what is
// short was lost, not run again.

#include <cstdint>
#include <functional>
#include <unordered_map>

#include "protocol/messages.hpp"

namespace ramify {

class AttemptRows {
 public:
  void add(std::uint64_t id, std::uint32_t attempt) { ++counts_[AssignmentRef{id, attempt}]; }
  std::uint64_t of(std::uint64_t id, std::uint32_t attempt) const {
    const auto it = counts_.find(AssignmentRef{id, attempt});
    return it == counts_.end() ? 0 : it->second;
  }

 private:
  struct Hash {
    std::size_t operator()(const AssignmentRef& ref) const {
      return std::hash<std::uint64_t>{}(ref.id * 0x9E3779B97F4A7C15ULL ^ ref.attempt);
    }
  };
  std::unordered_map<AssignmentRef, std::uint64_t, Hash> counts_;
};

}  // namespace ramify
