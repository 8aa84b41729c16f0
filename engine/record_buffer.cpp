#include "engine/record_buffer.hpp"

#include "protocol/codec.hpp"

namespace ramify {

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void RecordBuffer::add(LogRecord record) {
  const auto now = std::chrono::steady_clock::now();
  if (pending_.empty()) oldest_ = now;
  pending_.push_back(std::move(record));
  if (pending_.size() >= kBatchRecords || now - oldest_ >= kMaxAge) flush();
}

void RecordBuffer::flush() {
  if (pending_.empty()) return;
  SlotEvent event;
  event.kind = SlotEvent::Kind::records;
  event.slot = slot_;
  event.record_count = static_cast<std::uint32_t>(pending_.size());
  for (const LogRecord& record : pending_) {
    if (record.kind != RecordKind::outcome) continue;
    ++event.outcomes;
    if (record.status == Status::skipped) ++event.skipped_outcomes;
  }
  event.records = encode_records(pending_);
  pending_.clear();
  events_.push(std::move(event));
}

}  // namespace ramify
