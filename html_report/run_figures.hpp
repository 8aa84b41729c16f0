#pragma once
// What the HTML report shows, gathered from a report's rows in one pass:
// outcomes by level and status, durations by level, resource use by level
// (exec's fields), the failures, the slowest nodes, and the spans the
// timeline draws. Nothing here knows HTML.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "protocol/log_record.hpp"

namespace ramify {

struct ReportRow;

struct NodeSpan {
  std::string worker;
  std::string label;  // the node id, or "assignment N" when spans are assignments
  Status status = Status::ok;
  std::int64_t start_us = 0;
  std::int64_t end_us = 0;
};

struct LevelResources {
  std::uint64_t commands = 0;  // outcome rows with exec's resource fields
  double cpu_user_seconds = 0;
  double cpu_system_seconds = 0;
  double max_rss_bytes = 0;  // the largest
  double read_bytes = 0;
  double write_bytes = 0;
};

struct FailureRow {
  std::string level;
  std::string node;
  std::string error;
  std::string message;
};

struct SlowNode {
  double seconds = 0;
  std::string level;
  std::string node;
};

class RunFigures {
 public:
  // Nodes beyond which the timeline draws one bar per assignment, not per node.
  static constexpr std::size_t kNodeBarsAtMost = 20000;
  static constexpr std::size_t kFailuresListed = 500;
  static constexpr std::size_t kSlowestListed = 10;

  void add(const ReportRow& row);
  // Once every row is in: the timeline's spans (per node or per assignment).
  void finish();

  std::set<std::string> runs;
  std::vector<std::string> levels;                                  // in the order first seen
  std::map<std::string, std::map<Status, std::uint64_t>> outcomes;  // level -> status -> nodes
  std::map<std::string, std::vector<double>> durations;             // level -> seconds (timed, not skipped)
  std::map<std::string, LevelResources> resources;
  std::vector<FailureRow> failures;  // the first kFailuresListed
  std::uint64_t failed = 0;          // all of them
  std::uint64_t log_rows = 0;
  std::uint64_t warnings = 0;     // log rows of severity warning or worse
  std::vector<SlowNode> slowest;  // longest first
  std::vector<NodeSpan> spans;    // after finish(): by worker, then start
  bool spans_are_assignments = false;
  std::int64_t first_start_us = 0;  // of the timed outcomes (0: none)
  std::int64_t last_end_us = 0;

  std::uint64_t nodes() const;
  std::uint64_t nodes_with(Status status) const;

 private:
  std::vector<NodeSpan> node_spans_;
  // (worker, assignment, attempt) -> its span, for runs with many nodes
  std::map<std::tuple<std::string, std::uint64_t, std::uint32_t>, NodeSpan> assignment_spans_;
};

}  // namespace ramify
