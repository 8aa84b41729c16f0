#pragma once
// One report row as a JSON object (one line of the .jsonl report).

#include <string>

#include "common/json_reader.hpp"
#include "common/log_record.hpp"

namespace ramify {

// Fields, in order: kind, status (outcome rows), container_type, container_id,
// label, err, msg, resolved, search_key (the Python HierarchyCurator report's
// columns), ts, worker, seq, severity, assignment, attempt, and `results`
// (the curator's structured fields) when there are any.
std::string report_row_json(const std::string& worker, std::uint64_t seq, const LogRecord& record);

// The record a report row was written from (what a restarted sink reads back).
struct ReportRow {
  std::string worker;
  std::uint64_t seq = 0;
  LogRecord record;
};
ReportRow report_row_from_json(const JsonValue& row);

}  // namespace ramify
