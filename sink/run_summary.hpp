#pragma once
// What the sink prints at the end of a run: nodes by level and status, the
// first failures and findings (with how many more there are), records per
// worker, and records lost.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "protocol/log_record.hpp"
#include "protocol/messages.hpp"

namespace ramify {

struct StatusCounts {
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::uint64_t skipped = 0;
  std::uint64_t total() const { return ok + failed + skipped; }
};

class RunSummary {
 public:
  void add(const std::string& worker, const LogRecord& record);
  // A record of the curator's run-level finalize (roll-ups, findings).
  void add_final(const LogRecord& record);
  // Forgets the outcomes of attempts that were run again.
  void drop_attempts(const std::vector<AssignmentRef>& attempts);

  // Levels ordered by how deep they first appear ("file" last).
  std::vector<std::pair<std::string, StatusCounts>> by_level() const;
  StatusCounts totals() const;
  const std::map<std::string, std::uint64_t>& records_per_worker() const { return records_per_worker_; }
  // Failed outcomes, earliest first: "container_type container_id: err".
  std::vector<std::string> failures(std::size_t limit) const;
  std::uint64_t failure_count() const;
  // The slowest outcomes, slowest first: "12.300 s file sub-01/x.nii.gz".
  std::vector<std::string> slowest(std::size_t limit) const;
  // Findings (ctx.finding(): log rows with msg "finding"), earliest first.
  std::vector<std::string> findings(std::size_t limit) const;
  std::uint64_t finding_count() const;

  struct Footer {
    std::string run_id;
    int status = 0;
    std::uint64_t lost = 0;
    std::string report_path;
    double elapsed_seconds = 0;
    std::uint64_t redispatched = 0;        // attempts run again after their worker was lost
    std::uint64_t dead_worker_records = 0;  // records that died with a worker (their work was redone)
    std::uint64_t skipped_assignments = 0;  // done by an earlier run (journal)
    std::string broker_failure;             // the broker's first failure (a quarantine has no row)
    std::string report_error;               // why the report is not complete ("" when it is)
    std::uint64_t handed_back = 0;          // assignments (or their rests) handed back by draining workers
    std::string since_last_run;             // with a state store: what was curated, carried over, removed
  };
  std::string render(const Footer& footer) const;

 private:
  struct Failure {
    std::int64_t ts_us;
    std::string text;
    AssignmentRef attempt;
  };
  // Up to kKept texts, and how many there are per attempt (attempts run
  // again are dropped from both).
  struct Listed {
    static constexpr std::size_t kKept = 10000;
    std::vector<Failure> kept;
    std::map<std::pair<std::uint64_t, std::uint32_t>, std::uint64_t> count_by_attempt;
    void add(Failure item);
    void drop(const std::set<std::pair<std::uint64_t, std::uint32_t>>& attempts);
    std::vector<std::string> first(std::size_t limit) const;
    std::uint64_t count() const;
  };
  struct LevelCounts {
    std::size_t depth = 0;
    std::map<std::pair<std::uint64_t, std::uint32_t>, StatusCounts> by_attempt;
  };
  std::map<std::string, LevelCounts> levels_;
  Listed failures_;
  Listed findings_;
  // The kSlowestKept longest outcomes by duration (microseconds), of attempts not dropped.
  static constexpr std::size_t kSlowestKept = 50;
  std::multimap<std::int64_t, Failure, std::greater<>> slowest_;
  std::map<std::string, std::uint64_t> records_per_worker_;
  std::vector<std::string> final_lines_;
};

}  // namespace ramify
