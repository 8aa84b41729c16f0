#include "sink/run_digest.hpp"

#include <algorithm>

#include "protocol/log_record.hpp"

namespace ramify {

namespace {

std::string cut(const std::string& text) {
  if (text.size() <= kDigestText) return text;
  std::size_t end = kDigestText;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // not inside a character
  return text.substr(0, end) + "…";
}

}  // namespace

void RunDigest::written(const std::string& worker, const LogRecord& record) {
  if (record.kind == RecordKind::outcome) {
    auto level = std::find_if(levels_.begin(), levels_.end(),
                              [&](const LevelCounts& c) { return c.level == record.container_type; });
    if (level == levels_.end()) level = levels_.insert(levels_.end(), LevelCounts{record.container_type});
    LevelCounts& counts = *level;
    switch (record.status) {
      case Status::ok:
        ++counts.ok;
        break;
      case Status::failed:
        ++counts.failed;
        break;
      case Status::skipped:
        ++counts.skipped;
        break;
    }
    return;
  }
  if (!keep_records_) return;
  if (recent_.size() == kDigestRecords) recent_.pop_front();
  const std::string& text = record.msg.empty() ? record.err : record.msg;
  recent_.push_back(
      RecentRecord{record.ts_us, worker, to_string(record.severity), cut(record.container_id), cut(text)});
}

SinkDigest RunDigest::digest() const {
  SinkDigest out;
  out.levels = levels_;
  out.recent.assign(recent_.begin(), recent_.end());
  return out;
}

}  // namespace ramify
