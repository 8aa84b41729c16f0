#include "worker/log_spool.hpp"

#include <algorithm>

namespace ramify {

void LogSpool::append(SpooledBatch batch) { batches_.push_back(std::move(batch)); }

std::size_t LogSpool::acknowledge(std::uint64_t seq) {
  acked_ = std::max(acked_, seq);
  std::size_t freed = 0;
  while (!batches_.empty() && batches_.front().last_seq() <= acked_) {
    freed += batches_.front().budget_bytes;
    batches_.pop_front();
  }
  return freed;
}

}  // namespace ramify
