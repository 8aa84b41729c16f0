#pragma once
// The sink's side of the state store (state/state_schema.hpp). Everything a
// run changes is one transaction, committed by conclude(): a run that ends
// without a report keeps the store as the last run left it.
//
// During the run every row about a node is kept; a worker's `carried` marker
// brings back the stored rows of the node and of what lies below it in its
// assignment (they are written to the report again, marked cached). At the
// end, a node curated again loses its older rows, and when every assignment
// was done, a stored node that was neither curated nor carried is gone from
// the hierarchy: it is reported removed and forgotten.

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "protocol/messages.hpp"
#include "protocol/row_json.hpp"

namespace ramify {

// The worker the report names for rows the store wrote (carried over, removed).
inline constexpr const char* kStateWorker = "state";

// A row carried over: its report JSON in parts, and a record of what the
// run's counts need of a plain one (kind, status, severity, container_type,
// label, search_key; the marker's assignment and attempt).
// Any other row's record is its JSON, whole (sink/report_row.hpp).
// Handed over by reference, valid during the call (its storage is reused).
struct CarriedRow {
  LogRecord record;
  RowJson json;
  bool plain = false;  // an outcome, not failed, without error text
};

class StateStore {
 public:
  // Opens (or makes) the store; throws ConfigError when it cannot.
  explicit StateStore(const std::string& path);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  const std::string& id() const { return id_; }
  const std::string& path() const { return path_; }

  // Keeps a row of run `run` with its report JSON in parts (a record without
  // a node is not kept). Throws WriteError.
  void record(const std::string& run, const LogRecord& record, const RowJson& json);
  // Hands `write` the rows the marker carries over, in key order, for the
  // marker's assignment and attempt. Throws WriteError.
  void carry(const std::string& run, const LogRecord& marker, const std::function<void(const CarriedRow&)>& write);

  struct Conclusion {
    std::uint64_t curated = 0;       // nodes with an outcome row of this run
    std::uint64_t fresh = 0;         // of those, nodes the store did not hold before
    std::uint64_t carried = 0;       // nodes whose rows were carried over
    std::vector<LogRecord> removed;  // one row per node gone since the last run
  };
  // Assignments done without a failure: their root search key and digest.
  using AssignmentDigests = std::vector<std::pair<std::string, std::string>>;
  // Drops the rows of superseded attempts, forgets what a node curated again
  // had before and, when `whole` (every assignment was done), the nodes that
  // were not seen; forgets the digest of every assignment that covered a node
  // whose rows changed and, when `whole`, keeps `digests`; then commits.
  // Throws WriteError.
  Conclusion conclude(const std::string& run, const std::vector<AssignmentRef>& superseded, bool whole,
                      const AssignmentDigests& digests = {});

 private:
  void exec(const char* sql);
  sqlite3_stmt* prepare(const char* sql);
  void step_done(sqlite3_stmt* stmt, const char* what);
  std::uint64_t count(const char* sql, const std::string& run);
  enum class CarryScope { node, files, subtree };
  // Rows of a subtree read on the calling thread; past them, on a thread of their own (state/piped_rows).
  static constexpr std::size_t kReadInline = 512;
  // Labels, one per line, looked up by binary search (views into the text, which must outlive it).
  class SortedNames {
   public:
    explicit SortedNames(std::string_view names);
    bool contains(std::string_view name) const;

   private:
    std::vector<std::string_view> names_;
  };
  // Carries the rows of the nodes with keys in [from, to); `files`: only the
  // marker root's files (those `listed`, when given, by label).
  void carry_range(const std::string& run, const LogRecord& marker, const std::string& from, const std::string& to,
                   CarryScope scope, const std::function<void(const CarriedRow&)>& write,
                   const SortedNames* listed = nullptr);
  // Stored nodes this run neither curated nor carried over, in key order.
  std::vector<LogRecord> unseen(const std::string& run);
  void keep_assignment_digests(const std::vector<LogRecord>& removed, const AssignmentDigests& digests);

  std::string path_;
  std::string id_;
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> statements_;
  sqlite3_stmt* insert_row_ = nullptr;
  sqlite3_stmt* upsert_node_ = nullptr;
  sqlite3_stmt* node_fields_ = nullptr;
  sqlite3_stmt* set_fields_ = nullptr;
  sqlite3_stmt* carried_rows_ = nullptr;
  std::uint64_t carried_ = 0;  // outcome rows carried over
  CarriedRow carried_row_;     // the row being carried (its storage reused)
  sqlite3_int64 next_seq_ = 1;  // rows: the next one's seq (meta next_seq)
  // The markers of this run by root key: what they carried of the store (but
  // a `listed` marker's files, which are kept by folder in listed_names_).
  struct KeyHash : std::hash<std::string_view> {
    using is_transparent = void;
  };
  std::unordered_map<std::string, CarryScope, KeyHash, std::equal_to<>> carried_scopes_;
  std::unordered_map<std::string, std::string> listed_names_;  // folder key -> its files carried by name, one per line
  std::unordered_map<std::string, std::string> curated_;  // nodes with an outcome row of this run: id -> key
  bool held_nodes_ = false;  // the store held nodes when the run began (else nothing can be removed)
};

}  // namespace ramify
