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

}  // namespace ramify
