#include "protocol/log_record.hpp"

#include "protocol/protocol_enums.hpp"

namespace ramify {

const char* to_string(Severity severity) {
  switch (severity) {
    case Severity::debug: return "debug";
    case Severity::info: return "info";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
  }
  return "unknown";
}

const char* to_string(Status status) {
  switch (status) {
    case Status::ok: return "ok";
    case Status::failed: return "failed";
    case Status::skipped: return "skipped";
  }
  return "unknown";
}

const char* to_string(RecordKind kind) {
  switch (kind) {
    case RecordKind::log: return "log";
    case RecordKind::outcome: return "outcome";
    case RecordKind::carried: return "carried";
  }
  return "unknown";
}

const char* to_string(AssignmentKind kind) {
  switch (kind) {
    case AssignmentKind::subtree: return "subtree";
    case AssignmentKind::shallow: return "shallow";
  }
  return "unknown";
}

const char* to_string(WalkOrder order) {
  switch (order) {
    case WalkOrder::depth: return "depth";
    case WalkOrder::breadth: return "breadth";
  }
  return "unknown";
}

const char* to_string(RunState state) {
  switch (state) {
    case RunState::running: return "running";
    case RunState::draining: return "draining";
    case RunState::aborted: return "aborted";
    case RunState::finished: return "finished";
  }
  return "unknown";
}

}  // namespace ramify
