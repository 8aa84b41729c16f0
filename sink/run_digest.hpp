#pragma once
// What the broker's dashboard shows of the report (SinkDigest): outcome rows
// by level and status, counted from every row written, and a ring of the
// last log records, kept once keep_records() was called (the broker serves a
// dashboard): copying each record costs, counting does not.

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "protocol/messages.hpp"

namespace ramify {

struct LogRecord;

class RunDigest {
 public:
  // A row the report now holds, from `worker`.
  void written(const std::string& worker, const LogRecord& record);
  void keep_records() { keep_records_ = true; }
  SinkDigest digest() const;

 private:
  std::vector<LevelCounts> levels_;  // in the order first seen (a handful)
  std::deque<RecentRecord> recent_;  // at most kDigestRecords
  bool keep_records_ = false;
};

}  // namespace ramify
