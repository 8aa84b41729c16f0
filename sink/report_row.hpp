#pragma once
// One report row: a record with who sent it. The formats (JSON Lines, CSV,
// SQLite) all write the same fields; this file holds the JSON form and the
// text forms of the enumerations shared by the readers.

#include <string>

#include "protocol/log_record.hpp"
#include "protocol/row_json.hpp"
#include "util/json_reader.hpp"

namespace ramify {

struct ReportRow {
  std::string run;
  std::string worker;
  std::uint64_t seq = 0;
  LogRecord record;
};

// Fields, in order: kind, status (outcome rows), container_type, container_id,
// label, err, msg, resolved, search_key (the Python HierarchyCurator report's
// columns), ts, worker, seq, severity, assignment, attempt, run, started and
// seconds (outcome rows whose timing is known), and `results` (the curator's
// structured fields) when there are any.
std::string report_row_json(const ReportRow& row);
// The same at the end of `out`.
void append_report_row_json(std::string& out, const ReportRow& row);

// A row's JSON in the parts that the state store keeps (protocol/row_json.hpp).
RowJson carried_json_parts(const LogRecord& record);
// The row a later run carries over, from those parts: what
// append_report_row_json writes for the record with these run fields and
// `cached: true` last among its results.
void append_carried_row_json(std::string& out, const RowJson& stored, Severity severity, const std::string& run,
                             const std::string& worker, std::uint64_t seq, std::uint64_t assignment,
                             std::uint32_t attempt);
ReportRow report_row_from_json(const JsonValue& row);

// An outcome's timing as the formats write it: `started` in the form of `ts`
// and `seconds` with microseconds ("" and "" when not known), and back.
std::string started_text(const LogRecord& record);
std::string seconds_text(const LogRecord& record);
void set_timing(LogRecord& record, const std::string& started, const std::string& seconds);

// `results` as one JSON object ("{}" when there are none; numbers and
// booleans as JSON numbers and booleans), and back.
std::string results_json(const LogRecord& record);
std::vector<Field> results_from_json(const std::string& text);

// Enumerations from their report names (the inverse of to_string).
RecordKind kind_named(const std::string& text);
Status status_named(const std::string& text);
Severity severity_named(const std::string& text);

}  // namespace ramify
