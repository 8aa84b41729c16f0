#include "sink/report_row.hpp"

#include "common/json_text.hpp"

namespace ramify {

std::string report_row_json(const std::string& worker, std::uint64_t seq, const LogRecord& r) {
  JsonObject row;
  row.field("kind", to_string(r.kind));
  if (r.kind == RecordKind::outcome) row.field("status", to_string(r.status));
  row.field("container_type", r.container_type)
      .field("container_id", r.container_id)
      .field("label", r.label)
      .field("err", r.err)
      .field("msg", r.msg)
      .field("resolved", r.resolved)
      .field("search_key", r.search_key)
      .field("ts", iso8601_utc(r.ts_us))
      .field("worker", worker)
      .field("seq", seq)
      .field("severity", to_string(r.severity))
      .field("assignment", r.assignment)
      .field("attempt", static_cast<std::uint64_t>(r.attempt));
  if (!r.fields.empty()) {
    JsonObject results;
    for (const auto& [key, value] : r.fields) results.field(key, value);
    row.raw("results", results.str());
  }
  return row.str();
}

namespace {

template <class E>
E enum_named(const std::string& text, std::initializer_list<E> values, E fallback) {
  for (E value : values)
    if (text == to_string(value)) return value;
  return fallback;
}

}  // namespace

ReportRow report_row_from_json(const JsonValue& row) {
  ReportRow out;
  out.worker = row.get("worker");
  out.seq = row.get_uint("seq");
  LogRecord& r = out.record;
  r.kind = enum_named(row.get("kind"), {RecordKind::log, RecordKind::outcome}, RecordKind::log);
  r.status = enum_named(row.get("status"), {Status::ok, Status::failed, Status::skipped}, Status::ok);
  r.severity = enum_named(row.get("severity"), {Severity::debug, Severity::info, Severity::warning, Severity::error},
                          Severity::info);
  r.container_type = row.get("container_type");
  r.container_id = row.get("container_id");
  r.label = row.get("label");
  r.err = row.get("err");
  r.msg = row.get("msg");
  const JsonValue* resolved = row.find("resolved");
  r.resolved = resolved && resolved->boolean;
  r.search_key = row.get("search_key");
  r.ts_us = parse_iso8601_utc(row.get("ts"));
  r.assignment = row.get_uint("assignment");
  r.attempt = static_cast<std::uint32_t>(row.get_uint("attempt"));
  if (const JsonValue* results = row.find("results"))
    for (const auto& [key, value] : results->members) r.fields.emplace_back(key, value.text);
  return out;
}

}  // namespace ramify
