#pragma once
// Which records `ramify tail` shows. Every condition given must hold.

#include <optional>
#include <regex>
#include <string>

#include "protocol/log_record.hpp"

namespace ramify {

struct TailFilter {
  std::optional<std::string> level;      // container_type equals
  std::optional<Severity> min_severity;  // severity at least
  std::optional<std::string> worker;     // the worker's id, or its name (ids are NAME-PID-RANDOM)
  std::optional<std::regex> grep;        // matches somewhere in msg, err or container_id
  bool failures = false;                 // failed outcomes and error records only
  bool logs_only = false;                // log records only (no outcome rows)

  bool admits(const std::string& worker_id, const LogRecord& record) const;
};

// "debug", "info", "warning" (or "warn"), "error"; throws ConfigError otherwise.
Severity parse_severity(const std::string& text);

}  // namespace ramify
