#include "protocol/status_json.hpp"

#include <cmath>

#include "util/json_text.hpp"

namespace ramify {

std::uint64_t nodes_ok(const StatusReply& s) {
  const std::uint64_t not_ok = s.nodes_failed + s.nodes_skipped;
  return s.nodes > not_ok ? s.nodes - not_ok : 0;
}

std::string status_json(const StatusReply& s) {
  JsonObject by_state;
  for (const auto& [state, count] : s.assignments_by_state) by_state.field(state, count);
  std::string workers = "[";
  for (std::size_t i = 0; i < s.workers.size(); ++i) {
    const WorkerInfo& w = s.workers[i];
    JsonObject worker;
    worker.field("id", w.id)
        .field("host", w.host)
        .field("pid", w.pid)
        .field("slots", static_cast<std::uint64_t>(w.slots))
        .field("running", static_cast<std::uint64_t>(w.running))
        .field("alive", w.alive)
        .field("last_seen_ms", w.last_seen_ms)
        .field("lost_reason", w.lost_reason);
    workers += (i ? "," : "") + worker.str();
  }
  workers += "]";
  JsonObject nodes;
  nodes.field("curated", s.nodes)
      .field("ok", nodes_ok(s))
      .field("failed", s.nodes_failed)
      .field("skipped", s.nodes_skipped);
  JsonObject out;
  out.field("run", s.run_id)
      .field("state", to_string(s.state))
      .field("elapsed_seconds", static_cast<std::int64_t>(std::llround(s.elapsed_seconds)))
      .field("assignments", s.assignments)
      .raw("assignments_by_state", by_state.str())
      .raw("nodes", nodes.str())
      .field("failures", s.failures)
      .field("run_failures", s.run_failures)
      .field("workers_alive", static_cast<std::uint64_t>(s.workers_alive))
      .raw("workers", workers)
      .field("first_failure", s.first_failure)
      .field("exit_status", static_cast<std::int64_t>(s.exit_status));
  return out.str();
}

}  // namespace ramify
