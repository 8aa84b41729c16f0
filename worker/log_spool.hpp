#pragma once
// The worker's log batches that the sink has not acknowledged yet, in
// sequence order. They are sent again when the sink (re)subscribes or stays
// silent; an acknowledgement of seq N drops every batch that ends at or before N.

#include <cstdint>
#include <deque>
#include <string>

namespace ramify {

struct SpooledBatch {
  std::uint64_t first_seq = 0;
  std::uint32_t count = 0;
  std::string message;         // the encoded LogBatch
  std::size_t budget_bytes = 0;  // what it holds of the EventQueue budget
  std::uint64_t last_seq() const { return first_seq + count - 1; }
};

class LogSpool {
 public:
  void append(SpooledBatch batch);
  // Drops what `seq` covers; returns the budget bytes freed.
  std::size_t acknowledge(std::uint64_t seq);

  const std::deque<SpooledBatch>& batches() const { return batches_; }
  bool empty() const { return batches_.empty(); }
  std::uint64_t acked() const { return acked_; }

 private:
  std::deque<SpooledBatch> batches_;
  std::uint64_t acked_ = 0;
};

}  // namespace ramify
