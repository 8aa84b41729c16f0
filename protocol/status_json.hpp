#pragma once
// A run's state as `ramify status --json` prints it, and as the broker's
// dashboard serves it: one JSON object (keys: run, state, elapsed_seconds,
// assignments, assignments_by_state, nodes {curated, ok, failed, skipped},
// failures, run_failures, workers_alive, workers, first_failure, exit_status).

#include <cstdint>
#include <string>

#include "protocol/messages.hpp"

namespace ramify {

// Nodes curated so far that neither failed nor were skipped. Failures are
// counted as they are reported, curated nodes with the workers' heartbeats:
// for a moment the first may run ahead.
std::uint64_t nodes_ok(const StatusReply& s);

std::string status_json(const StatusReply& s);

}  // namespace ramify
