#pragma once
// The broker's durable record of a run (SQLite): the run id, a digest of the
// job, and each assignment's root, state and attempt. A broker that is killed
// and started again with its journal finishes the same run; a job run again
// with the journal of a finished run skips the assignments that were done.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/scheduler.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ramify {

struct JournalEntry {
  std::uint64_t id = 0;
  std::string root;  // the assignment's root node id, to check the hierarchy did not change
  AssignmentState state = AssignmentState::queued;
  std::uint32_t attempt = 0;
  std::uint64_t nodes = 0;
  std::uint64_t failures = 0;
  std::uint64_t skipped = 0;
};

class Journal {
 public:
  // Opens (or creates) the journal. Throws ConfigError when it cannot be
  // opened or belongs to a different job (`job_digest` differs). Every write
  // after that throws WriteError when it fails (a full disk): a runtime
  // failure of the run, after which the journal is not used again.
  Journal(const std::string& path, const std::string& job_digest);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // What an earlier broker recorded (empty for a new journal).
  const std::vector<JournalEntry>& entries() const { return entries_; }
  std::optional<std::string> run_id() const { return run_id_; }
  // True when the recorded run ended (finished or aborted).
  bool run_ended() const { return ended_; }

  // Starts a run: records its id and every assignment's root.
  void begin_run(const std::string& run_id, const std::vector<AssignmentStatus>& assignments);
  // Records the current state of these assignments, in one transaction.
  void record(const std::vector<const AssignmentStatus*>& changed);
  void end_run(int exit_status);
  const std::string& path() const { return path_; }

 private:
  void exec(const std::string& sql);
  void step(sqlite3_stmt* stmt);
  // Runs `body` in one transaction, rolled back when it throws.
  void in_transaction(const std::function<void()>& body);

  std::string path_;
  sqlite3* db_ = nullptr;
  std::vector<JournalEntry> entries_;
  std::optional<std::string> run_id_;
  bool ended_ = false;
};

// A stable digest of what decides the partition and the work: the hierarchy,
// the levels, the partition level, the curator and its sections.
std::string job_digest(const JobSpec& spec);

// How an earlier run's journal shapes this one: which assignments are
// already done, and the attempts that were under way when it stopped.
std::vector<RestoredAssignment> restore_from(const Journal& journal, const std::vector<AssignmentSpec>& specs,
                                             bool same_run);

}  // namespace ramify
