#include "sink/report_row.hpp"

#include <cmath>
#include <cstdio>

#include "protocol/record_fields.hpp"
#include "util/errors.hpp"
#include "util/json_text.hpp"

namespace ramify {

namespace {

template <class E>
E enum_named(const std::string& text, std::initializer_list<E> values, E fallback) {
  for (E value : values)
    if (text == to_string(value)) return value;
  return fallback;
}

}  // namespace

RecordKind kind_named(const std::string& text) {
  return enum_named(text, {RecordKind::log, RecordKind::outcome}, RecordKind::log);
}
Status status_named(const std::string& text) {
  return enum_named(text, {Status::ok, Status::failed, Status::skipped}, Status::ok);
}
Severity severity_named(const std::string& text) {
  return enum_named(text, {Severity::debug, Severity::info, Severity::warning, Severity::error}, Severity::info);
}

std::string results_json(const LogRecord& record) { return fields_json(record.fields); }

std::string started_text(const LogRecord& record) {
  return record.start_us == 0 ? std::string() : iso8601_utc(record.start_us);
}

std::string seconds_text(const LogRecord& record) {
  if (record.start_us == 0) return "";
  char text[32];
  std::snprintf(text, sizeof text, "%lld.%06lld", static_cast<long long>(record.duration_us / 1000000),
                static_cast<long long>(record.duration_us % 1000000));
  return text;
}

void set_timing(LogRecord& record, const std::string& started, const std::string& seconds) {
  record.start_us = started.empty() ? 0 : parse_iso8601_utc(started);
  record.duration_us = 0;
  if (record.start_us == 0 || seconds.empty()) return;
  try {
    record.duration_us = static_cast<std::int64_t>(std::llround(std::stod(seconds) * 1e6));
  } catch (const std::exception&) {
    record.duration_us = 0;
  }
}

std::vector<Field> results_from_json(const std::string& text) {
  if (text.empty()) return {};
  return fields_from_json(parse_json(text));
}

namespace {

// A row's fields before those of the run that writes it: kind to ts.
void append_head(JsonObject& json, const LogRecord& r) {
  char ts[40];
  json.field("kind", to_string(r.kind));
  if (r.kind == RecordKind::outcome) json.field("status", to_string(r.status));
  json.field("container_type", r.container_type)
      .field("container_id", r.container_id)
      .field("label", r.label)
      .field("err", r.err)
      .field("msg", r.msg)
      .field("resolved", r.resolved)
      .field("search_key", r.search_key)
      .field("ts", format_iso8601_utc(r.ts_us, ts));
}

// The fields the writing run sets, severity (the record's) among them.
void append_run_fields(JsonObject& json, const std::string& worker, std::uint64_t seq, Severity severity,
                       std::uint64_t assignment, std::uint32_t attempt, const std::string& run) {
  json.field("worker", worker)
      .field("seq", seq)
      .field("severity", to_string(severity))
      .field("assignment", assignment)
      .field("attempt", static_cast<std::uint64_t>(attempt))
      .field("run", run);
}

void append_timing(JsonObject& json, const LogRecord& r) {
  if (r.kind == RecordKind::outcome && r.start_us != 0)
    json.field("started", started_text(r)).raw("seconds", seconds_text(r));
}

}  // namespace

void append_report_row_json(std::string& out, const ReportRow& row) {
  const LogRecord& r = row.record;
  JsonObject json(out);
  append_head(json, r);
  append_run_fields(json, row.worker, row.seq, r.severity, r.assignment, r.attempt, row.run);
  append_timing(json, r);
  if (!r.fields.empty()) json.raw("results", results_json(r));
  json.close();
}

RowJson carried_json_parts(const LogRecord& record) {
  RowJson parts;
  JsonObject head(parts.head);
  append_head(head, record);
  std::string timing = "{";
  JsonObject timing_json(timing, 0);
  append_timing(timing_json, record);
  if (timing.size() > 1) parts.timing = "," + timing.substr(1);  // it follows the run's fields
  if (!record.fields.empty()) parts.results = results_json(record);
  return parts;
}

void append_carried_row_json(std::string& out, const RowJson& stored, Severity severity, const std::string& run,
                             const std::string& worker, std::uint64_t seq, std::uint64_t assignment,
                             std::uint32_t attempt) {
  const std::size_t start = out.size();
  out += stored.head;
  JsonObject json(out, start);
  append_run_fields(json, worker, seq, severity, assignment, attempt, run);
  out += stored.timing;
  // The results with `cached: true` last, as a carried row's fields have it.
  if (stored.results.size() > 2) {
    out += ",\"results\":";
    out.append(stored.results, 0, stored.results.size() - 1);
    out += ",\"cached\":true}";
  } else {
    out += ",\"results\":{\"cached\":true}";
  }
  json.close();
}

std::string report_row_json(const ReportRow& row) {
  std::string out;
  append_report_row_json(out, row);
  return out;
}

ReportRow report_row_from_json(const JsonValue& json) {
  ReportRow out;
  out.run = json.get("run");
  out.worker = json.get("worker");
  out.seq = json.get_uint("seq");
  LogRecord& r = out.record;
  r.kind = kind_named(json.get("kind"));
  r.status = status_named(json.get("status"));
  r.severity = severity_named(json.get("severity"));
  r.container_type = json.get("container_type");
  r.container_id = json.get("container_id");
  r.label = json.get("label");
  r.err = json.get("err");
  r.msg = json.get("msg");
  const JsonValue* resolved = json.find("resolved");
  r.resolved = resolved && resolved->boolean;
  r.search_key = json.get("search_key");
  r.ts_us = parse_iso8601_utc(json.get("ts"));
  r.assignment = json.get_uint("assignment");
  r.attempt = static_cast<std::uint32_t>(json.get_uint("attempt"));
  if (const JsonValue* results = json.find("results")) r.fields = fields_from_json(*results);
  set_timing(r, json.get("started"), json.get("seconds"));
  return out;
}

}  // namespace ramify
