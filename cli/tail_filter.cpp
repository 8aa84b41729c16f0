#include "cli/tail_filter.hpp"

#include "util/errors.hpp"

namespace ramify {

bool TailFilter::admits(const std::string& worker_id, const LogRecord& r) const {
  if (level && r.container_type != *level) return false;
  if (min_severity && static_cast<int>(r.severity) < static_cast<int>(*min_severity)) return false;
  if (worker && worker_id != *worker && !worker_id.starts_with(*worker + "-")) return false;
  if (logs_only && r.kind != RecordKind::log) return false;
  if (failures) {
    const bool failed_outcome = r.kind == RecordKind::outcome && r.status == Status::failed;
    const bool error_record = r.kind == RecordKind::log && r.severity == Severity::error;
    if (!failed_outcome && !error_record) return false;
  }
  if (grep && !std::regex_search(r.msg, *grep) && !std::regex_search(r.err, *grep) &&
      !std::regex_search(r.container_id, *grep))
    return false;
  return true;
}

Severity parse_severity(const std::string& text) {
  if (text == "debug") return Severity::debug;
  if (text == "info") return Severity::info;
  if (text == "warning" || text == "warn") return Severity::warning;
  if (text == "error") return Severity::error;
  throw ConfigError("unknown severity '" + text + "' (debug, info, warning, error)");
}

}  // namespace ramify
