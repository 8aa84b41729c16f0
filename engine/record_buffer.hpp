#pragma once
// Collects a slot's records and hands them to the main thread in batches:
// when 256 records wait, when the oldest waits for 50 ms, or on flush().

#include <chrono>
#include <vector>

#include "engine/context_services.hpp"
#include "engine/event_queue.hpp"
#include "protocol/log_record.hpp"

namespace ramify {

class RecordBuffer : public RecordSink {
 public:
  RecordBuffer(EventSink& events, std::size_t slot) : events_(events), slot_(slot) {}

  void add(LogRecord record) override;
  void flush();
  std::size_t pending() const { return pending_.size(); }

  static constexpr std::size_t kBatchRecords = 256;
  static constexpr std::chrono::milliseconds kMaxAge{50};

 private:
  EventSink& events_;
  std::size_t slot_;
  std::vector<LogRecord> pending_;
  std::chrono::steady_clock::time_point oldest_{};
};

// Microseconds since the epoch, for record timestamps.
std::int64_t now_us();

}  // namespace ramify
