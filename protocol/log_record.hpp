#pragma once
// A report row as it travels from a worker to the sink.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ramify/curator.hpp"

namespace ramify {

// carried: an incremental run's marker, worker -> sink only (never a report
// row): the node, and below it what the assignment holds, keep their rows
// of the last run (the sink's state store copies them, marked cached).
enum class RecordKind : unsigned char { log = 0, outcome = 1, carried = 2 };

// One row of the report. The worker id and sequence number are not stored
// here: a LOG batch carries them (first_seq + position in the batch).
struct LogRecord {
  RecordKind kind = RecordKind::log;
  Status status = Status::ok;  // outcome rows only
  Severity severity = Severity::info;
  std::int64_t ts_us = 0;      // wall clock, microseconds since the epoch
  std::string container_type;  // the node's level name, or "file"
  std::string container_id;    // the node id
  std::string label;
  std::string err;             // error text; empty when none
  std::string msg;
  bool resolved = true;        // false for an unresolved error or finding
  std::string search_key;      // labels from the root, joined by '/'
  std::uint64_t assignment = 0;
  std::uint32_t attempt = 0;
  std::vector<Field> fields;   // structured results
  // Outcome rows: when the node's curation began (wall clock, microseconds
  // since the epoch; 0 = not known) and how long it took (microseconds).
  std::int64_t start_us = 0;
  std::int64_t duration_us = 0;
  // Incremental runs (a state store), outcome rows: the node's fingerprint and
  // its level's curator fingerprint ("NODE#CURATOR"), kept by the sink's store.
  std::string stamp;

  bool operator==(const LogRecord&) const = default;
};

// The msg of the log row that carries what leave() recorded on a container.
// With a state store, a shallow assignment's root gets one too, marked as its
// part only: what the store keeps for the root when it is carried over.
inline constexpr const char* kSubtreeSummary = "subtree summary";
inline constexpr const char* kPartSummary = "part summary: the container and its files (finalize_run has the subtree)";

const char* to_string(Severity severity);
const char* to_string(Status status);
const char* to_string(RecordKind kind);

}  // namespace ramify
