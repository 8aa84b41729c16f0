#include "state/state_store.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <random>
#include <string_view>
#include <unordered_set>

#include "ramify/node.hpp"
#include "state/piped_rows.hpp"
#include "state/state_schema.hpp"
#include "util/errors.hpp"

namespace ramify {

using namespace state_schema;

namespace {

std::string random_id() {
  std::random_device device;
  std::string id;
  static const char* hex = "0123456789abcdef";
  for (int i = 0; i < 16; ++i) id += hex[device() % 16];
  return id;
}

FieldPairs pairs_of(const std::vector<Field>& fields) {
  FieldPairs pairs;
  for (const Field& field : fields) pairs.emplace_back(field.key, field.value);
  return pairs;
}

// A marker's field (`carry`: "node" alone, "files" it and its files, "subtree",
// or "listed": the files of it named in `names`, one per line).
std::string marker_field(const LogRecord& marker, const char* key, const char* otherwise) {
  for (const Field& field : marker.fields)
    if (field.key == key) return field.value;
  return otherwise;
}

std::string_view last_label(std::string_view search_key) {
  const auto slash = search_key.rfind('/');
  return slash == std::string_view::npos ? search_key : search_key.substr(slash + 1);
}

// The current row of `stmt` (the carried_rows_ query) into `carried`, under the marker's assignment and attempt.
void read_carried_row(sqlite3_stmt* stmt, const LogRecord& marker, CarriedRow& carried) {
  LogRecord& row = carried.record;
  row.kind = sqlite3_column_int(stmt, 2) != 0 ? RecordKind::outcome : RecordKind::log;
  row.status = static_cast<Status>(sqlite3_column_int(stmt, 4));
  row.severity = static_cast<Severity>(sqlite3_column_int(stmt, 5));
  assign_column_text(row.search_key, stmt, 0);
  assign_column_text(row.container_type, stmt, 1);
  row.label.assign(last_label(row.search_key));
  row.assignment = marker.assignment;
  row.attempt = marker.attempt;
  carried.plain = sqlite3_column_int(stmt, 3) != 0;
  assign_column_text(carried.json.head, stmt, 6);
  assign_column_text(carried.json.timing, stmt, 7);
  assign_column_text(carried.json.results, stmt, 8);
}


}  // namespace

StateStore::SortedNames::SortedNames(std::string_view names) {
  for (std::size_t start = 0, end; start < names.size(); start = end + 1) {
    end = names.find('\n', start);
    if (end == std::string_view::npos) end = names.size();
    if (end > start) names_.push_back(names.substr(start, end - start));
  }
  std::sort(names_.begin(), names_.end());
}

bool StateStore::SortedNames::contains(std::string_view name) const {
  return std::binary_search(names_.begin(), names_.end(), name);
}

StateStore::StateStore(const std::string& path) : path_(path) {
  // One thread uses the connection: no mutex around each call.
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw ConfigError("state store " + path + ": " + why);
  }
  sqlite3_busy_timeout(db_, 5000);
  try {
    {
      Statement foreign;  // a report or any other database is not taken over
      sqlite3_prepare_v2(db_,
                         "SELECT name FROM sqlite_master WHERE type = 'table'"
                         " AND name NOT IN ('meta', 'nodes', 'rows', 'assignments')",
                         -1, &foreign.stmt, nullptr);
      if (!foreign.stmt) throw WriteError("state store " + path + ": " + sqlite3_errmsg(db_));
      if (sqlite3_step(foreign.stmt) == SQLITE_ROW)
        throw WriteError("state store " + path + " holds a table '" + column_text(foreign.stmt, 0) +
                         "' of its own: not a ramify state store");
    }
    exec("PRAGMA journal_mode = WAL");      // the broker reads the last run's state while this run writes
    exec("PRAGMA cache_size = -262144");    // 256 MiB at most: a run's indexes stay in memory
    exec("PRAGMA mmap_size = 1073741824");  // reads without a copy
    {
      // A store of an earlier layout (or none yet): its tables go, and every
      // node is curated again once. (Before this sink joins the run, so before
      // the broker hands out any stored node.)
      Statement schema;
      sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key = 'schema'", -1, &schema.stmt, nullptr);
      const bool current =
          schema.stmt && sqlite3_step(schema.stmt) == SQLITE_ROW && column_text(schema.stmt, 0) == kSchema;
      if (!current)
        exec("DROP TABLE IF EXISTS rows; DROP TABLE IF EXISTS nodes; DROP TABLE IF EXISTS assignments;");
    }
    exec(kCreate);
    exec((std::string("INSERT OR REPLACE INTO meta(key, value) VALUES('schema', '") + kSchema + "')").c_str());
    {
      Statement next;
      sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key = 'next_seq'", -1, &next.stmt, nullptr);
      if (next.stmt && sqlite3_step(next.stmt) == SQLITE_ROW) next_seq_ = sqlite3_column_int64(next.stmt, 0);
    }
    {
      Statement meta;
      sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key = 'store_id'", -1, &meta.stmt, nullptr);
      if (meta.stmt && sqlite3_step(meta.stmt) == SQLITE_ROW) id_ = column_text(meta.stmt, 0);
    }
    if (id_.empty()) {
      id_ = random_id();
      exec(("INSERT INTO meta(key, value) VALUES('store_id', '" + id_ + "')").c_str());
    }
    exec("BEGIN IMMEDIATE");
    insert_row_ = prepare(
        "INSERT INTO rows(key, seq, level, run, assignment, attempt, outcome, plain, status, severity,"
        " json_head, json_timing, json_results) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)");
    upsert_node_ = prepare(
        "INSERT INTO nodes(id, search_key, level, stamp, status, pruned, fields, run, first_run)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?8) ON CONFLICT(id) DO UPDATE SET search_key = excluded.search_key,"
        " level = excluded.level, stamp = excluded.stamp, status = excluded.status, pruned = excluded.pruned,"
        " fields = excluded.fields, run = excluded.run");
    node_fields_ = prepare("SELECT fields FROM nodes WHERE id = ?1");
    set_fields_ = prepare("UPDATE nodes SET fields = ?2 WHERE id = ?1");
    // The rows of the nodes with keys in [?1, ?2): in key order, a node's in the order they were kept.
    carried_rows_ = prepare(
        "SELECT key, level, outcome, plain, status, severity, json_head, json_timing, json_results FROM rows"
        " WHERE key >= ?1 AND key < ?2 AND run != ?3 ORDER BY key, seq");
    {
      Statement any;
      sqlite3_prepare_v2(db_, "SELECT EXISTS(SELECT 1 FROM nodes)", -1, &any.stmt, nullptr);
      held_nodes_ = any.stmt && sqlite3_step(any.stmt) == SQLITE_ROW && sqlite3_column_int(any.stmt, 0) != 0;
    }
  } catch (const WriteError& e) {
    for (sqlite3_stmt* stmt : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw ConfigError(e.what());
  }
}

StateStore::~StateStore() {
  for (sqlite3_stmt* stmt : statements_) sqlite3_finalize(stmt);
  if (db_) sqlite3_close_v2(db_);  // an open transaction is rolled back: the store keeps the last run's state
}

void StateStore::exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string why = error ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    throw WriteError("state store " + path_ + ": " + why);
  }
}

sqlite3_stmt* StateStore::prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK)
    throw WriteError("state store " + path_ + ": " + sqlite3_errmsg(db_));
  statements_.push_back(stmt);
  return stmt;
}

void StateStore::step_done(sqlite3_stmt* stmt, const char* what) {
  const int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    throw WriteError("state store " + path_ + ": " + what + ": " + sqlite3_errmsg(db_));
}

void StateStore::record(const std::string& run, const LogRecord& r, const RowJson& json) {
  if (r.container_id.empty() || r.kind == RecordKind::carried) return;
  const bool outcome = r.kind == RecordKind::outcome;
  bind_text(insert_row_, 1, r.search_key);
  sqlite3_bind_int64(insert_row_, 2, next_seq_++);
  bind_text(insert_row_, 3, r.container_type);
  bind_text(insert_row_, 4, run);
  sqlite3_bind_int64(insert_row_, 5, static_cast<sqlite3_int64>(r.assignment));
  sqlite3_bind_int64(insert_row_, 6, r.attempt);
  sqlite3_bind_int(insert_row_, 7, outcome ? 1 : 0);
  sqlite3_bind_int(insert_row_, 8, outcome && r.status != Status::failed && r.err.empty() ? 1 : 0);
  sqlite3_bind_int(insert_row_, 9, static_cast<int>(r.status));
  sqlite3_bind_int(insert_row_, 10, static_cast<int>(r.severity));
  bind_text(insert_row_, 11, json.head);
  bind_text(insert_row_, 12, json.timing);
  bind_text(insert_row_, 13, json.results);
  step_done(insert_row_, "keeping a row");
  if (outcome) {
    curated_.emplace(r.container_id, r.search_key);
    bind_text(upsert_node_, 1, r.container_id);
    bind_text(upsert_node_, 2, r.search_key);
    bind_text(upsert_node_, 3, r.container_type);
    bind_text(upsert_node_, 4, r.stamp);
    // A node the run's end interrupted counts as failed: it is curated again.
    const bool interrupted = r.status == Status::skipped && r.msg.rfind("interrupted", 0) == 0;
    sqlite3_bind_int(upsert_node_, 5, static_cast<int>(interrupted ? Status::failed : r.status));
    sqlite3_bind_int(upsert_node_, 6, r.status == Status::skipped && r.msg.rfind("pruned", 0) == 0 ? 1 : 0);
    bind_blob(upsert_node_, 7, pack_fields(pairs_of(r.fields)));
    bind_text(upsert_node_, 8, run);
    step_done(upsert_node_, "keeping a node");
  } else if ((r.msg == kSubtreeSummary || r.msg == kPartSummary) && !r.fields.empty()) {
    // The container's roll-up: kept with its outcome's fields, for a carried node's curator hook.
    bind_text(node_fields_, 1, r.container_id);
    FieldPairs fields;
    if (sqlite3_step(node_fields_) == SQLITE_ROW) fields = unpack_fields(column_blob(node_fields_, 0));
    sqlite3_reset(node_fields_);
    for (auto& pair : pairs_of(r.fields)) fields.push_back(std::move(pair));
    bind_text(set_fields_, 1, r.container_id);
    bind_blob(set_fields_, 2, pack_fields(fields));
    step_done(set_fields_, "keeping a roll-up");
  }
}

void StateStore::carry(const std::string& run, const LogRecord& marker,
                       const std::function<void(const CarriedRow&)>& write) {
  const std::string& root = marker.search_key;
  const std::string scope = marker_field(marker, "carry", "subtree");
  if (scope == "listed") {
    const std::string names = marker_field(marker, "names", "");
    const SortedNames listed(names);
    std::string& seen = listed_names_[root];  // for unseen(): the files of root carried by name
    seen += names;
    seen += '\n';
    return carry_range(run, marker, root + "/", root + "0", CarryScope::files, write, &listed);
  }
  const CarryScope carried =
      scope == "node" ? CarryScope::node : scope == "files" ? CarryScope::files : CarryScope::subtree;
  carried_scopes_[root] = carried;
  // The node itself, then (but for `node`) the keys below it, from "ROOT/" up to "ROOT0".
  carry_range(run, marker, root, root + kJustAfter, CarryScope::node, write);
  if (carried != CarryScope::node) carry_range(run, marker, root + "/", root + "0", carried, write);
}

void StateStore::carry_range(const std::string& run, const LogRecord& marker, const std::string& from,
                             const std::string& to, CarryScope scope,
                             const std::function<void(const CarriedRow&)>& write, const SortedNames* listed) {
  const std::string& root = marker.search_key;
  struct Reset {  // also when `write` throws
    sqlite3_stmt* stmt;
    ~Reset() { sqlite3_reset(stmt); }
  } reset{carried_rows_};
  bind_text(carried_rows_, 1, from);
  bind_text(carried_rows_, 2, to);
  bind_text(carried_rows_, 3, run);
  const auto each = [&](const CarriedRow& row) {
    if (row.record.kind == RecordKind::outcome) ++carried_;
    write(row);
  };
  int rc = SQLITE_ROW;
  for (std::size_t rows = 0;; ++rows) {
    // A large subtree: the rest is read on while the rows are written.
    if (scope == CarryScope::subtree && rows == kReadInline) {
      rc = read_piped(
          carried_rows_, [&marker](sqlite3_stmt* stmt, CarriedRow& row) { read_carried_row(stmt, marker, row); }, each);
      break;
    }
    if ((rc = sqlite3_step(carried_rows_)) != SQLITE_ROW) break;
    if (scope == CarryScope::files) {  // the root's files only: past a folder's key, on after its subtree
      const std::string key = column_text(carried_rows_, 0);
      if (auto next = past_child_subtree(key, root)) {
        sqlite3_reset(carried_rows_);
        bind_text(carried_rows_, 1, *next);
        continue;
      }
      if (column_text(carried_rows_, 1) != kFileLevel) continue;
      if (listed && !listed->contains(std::string_view(key).substr(root.size() + 1))) continue;
    }
    read_carried_row(carried_rows_, marker, carried_row_);
    each(carried_row_);
  }
  sqlite3_reset(carried_rows_);
  if (rc != SQLITE_DONE) throw WriteError("state store " + path_ + ": reading carried rows: " + sqlite3_errmsg(db_));
}

std::uint64_t StateStore::count(const char* sql, const std::string& run) {
  Statement s;
  if (sqlite3_prepare_v2(db_, sql, -1, &s.stmt, nullptr) != SQLITE_OK)
    throw WriteError("state store " + path_ + ": " + sqlite3_errmsg(db_));
  bind_text(s.stmt, 1, run);
  return sqlite3_step(s.stmt) == SQLITE_ROW ? static_cast<std::uint64_t>(sqlite3_column_int64(s.stmt, 0)) : 0;
}

std::vector<LogRecord> StateStore::unseen(const std::string& run) {
  // The stored nodes in key order, leaping over each subtree carried whole (a
  // node's descendants are the keys from "KEY/" up to "KEY0", '0' following '/').
  Statement scan;
  if (sqlite3_prepare_v2(db_, "SELECT id, search_key, level, run FROM nodes WHERE search_key >= ?1 ORDER BY search_key",
                         -1, &scan.stmt, nullptr) != SQLITE_OK)
    throw WriteError("state store " + path_ + ": " + sqlite3_errmsg(db_));
  const auto scope_of = [&](std::string_view key) {
    const auto it = carried_scopes_.find(key);
    return it == carried_scopes_.end() ? std::optional<CarryScope>() : it->second;
  };
  bool any_subtree = false;  // else no key needs its ancestors looked up
  for (const auto& [key, scope] : carried_scopes_) any_subtree = any_subtree || scope == CarryScope::subtree;
  std::unordered_map<std::string_view, SortedNames> listed;  // by folder: the files carried by name
  for (const auto& [folder, names] : listed_names_) listed.emplace(folder, SortedNames(names));
  const auto now =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const auto text_of = [&](int column) {  // valid until the next step
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(scan.stmt, column));
    return text ? std::string_view(text, static_cast<std::size_t>(sqlite3_column_bytes(scan.stmt, column)))
                : std::string_view();
  };
  std::vector<LogRecord> removed;
  std::string from;
  bind_text(scan.stmt, 1, from);
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(scan.stmt)) == SQLITE_ROW) {
    const std::string_view key = text_of(1);
    // The topmost ancestor carried with its subtree: everything below it was seen.
    std::optional<std::string_view> whole_above;
    for (auto slash = key.rfind('/'); any_subtree && slash != std::string::npos && slash > 0;
         slash = key.rfind('/', slash - 1))
      if (scope_of(key.substr(0, slash)) == CarryScope::subtree) whole_above = key.substr(0, slash);
    if (whole_above) {
      from = std::string(*whole_above) + "0";
      sqlite3_reset(scan.stmt);
      bind_text(scan.stmt, 1, from);
      continue;
    }
    if (text_of(3) == run || scope_of(key)) continue;  // curated or carried
    const std::string_view level = text_of(2);
    const auto slash = key.rfind('/');
    if (level == kFileLevel && slash != std::string::npos) {  // a file carried with its folder's files, or by name
      const std::string_view folder = key.substr(0, slash);
      if (scope_of(folder) == CarryScope::files) continue;
      const auto names = listed.find(folder);
      if (names != listed.end() && names->second.contains(key.substr(slash + 1))) continue;
    }
    LogRecord gone;
    gone.ts_us = now;
    gone.container_id = std::string(text_of(0));
    gone.search_key = std::string(key);
    gone.container_type = std::string(level);
    gone.label = last_label(gone.search_key);
    gone.msg = "removed since the last run";
    removed.push_back(std::move(gone));
  }
  if (rc != SQLITE_DONE) throw WriteError("state store " + path_ + ": finding removed nodes: " + sqlite3_errmsg(db_));
  return removed;
}

StateStore::Conclusion StateStore::conclude(const std::string& run, const std::vector<AssignmentRef>& superseded,
                                            bool whole, const AssignmentDigests& digests) {
  Conclusion c;
  {
    Statement drop;
    if (sqlite3_prepare_v2(db_, "DELETE FROM rows WHERE run = ?1 AND assignment = ?2 AND attempt = ?3", -1, &drop.stmt,
                           nullptr) != SQLITE_OK)
      throw WriteError("state store " + path_ + ": " + sqlite3_errmsg(db_));
    for (const AssignmentRef& ref : superseded) {
      bind_text(drop.stmt, 1, run);
      sqlite3_bind_int64(drop.stmt, 2, static_cast<sqlite3_int64>(ref.id));
      sqlite3_bind_int64(drop.stmt, 3, ref.attempt);
      step_done(drop.stmt, "dropping a superseded attempt");
    }
  }
  // A store that held nothing has no older rows and only new nodes; else each
  // node curated again loses what it had, looked up by node (a rerun curates few).
  c.curated = superseded.empty() ? curated_.size()
                                 : count("SELECT COUNT(DISTINCT key) FROM rows WHERE run = ?1 AND outcome = 1", run);
  c.fresh = c.curated;
  if (held_nodes_) {
    Statement older, first;
    sqlite3_prepare_v2(db_, "DELETE FROM rows WHERE key = ?1 AND run != ?2", -1, &older.stmt, nullptr);
    sqlite3_prepare_v2(db_, "SELECT first_run = ?2 FROM nodes WHERE id = ?1", -1, &first.stmt, nullptr);
    c.fresh = 0;
    for (const auto& [id, key] : curated_) {
      bind_text(older.stmt, 1, key);
      bind_text(older.stmt, 2, run);
      step_done(older.stmt, "forgetting rows curated again");
      bind_text(first.stmt, 1, id);
      bind_text(first.stmt, 2, run);
      if (sqlite3_step(first.stmt) == SQLITE_ROW && sqlite3_column_int(first.stmt, 0) != 0) ++c.fresh;
      sqlite3_reset(first.stmt);
    }
  }
  c.carried = carried_;
  if (whole && held_nodes_) {
    c.removed = unseen(run);
    Statement forget_rows, forget_node;
    sqlite3_prepare_v2(db_, "DELETE FROM rows WHERE key = ?1", -1, &forget_rows.stmt, nullptr);
    sqlite3_prepare_v2(db_, "DELETE FROM nodes WHERE id = ?1", -1, &forget_node.stmt, nullptr);
    for (const LogRecord& removed : c.removed) {
      bind_text(forget_rows.stmt, 1, removed.search_key);
      step_done(forget_rows.stmt, "forgetting removed nodes");
      bind_text(forget_node.stmt, 1, removed.container_id);
      step_done(forget_node.stmt, "forgetting removed nodes");
    }
  }
  keep_assignment_digests(c.removed, whole ? digests : AssignmentDigests{});
  exec(("INSERT OR REPLACE INTO meta(key, value) VALUES('next_seq', " + std::to_string(next_seq_) + ")").c_str());
  exec("COMMIT");
  return c;
}

void StateStore::keep_assignment_digests(const std::vector<LogRecord>& removed, const AssignmentDigests& digests) {
  std::unordered_set<std::string> stored;
  {
    Statement all;
    if (sqlite3_prepare_v2(db_, "SELECT key FROM assignments", -1, &all.stmt, nullptr) != SQLITE_OK)
      throw WriteError("state store " + path_ + ": " + sqlite3_errmsg(db_));
    while (sqlite3_step(all.stmt) == SQLITE_ROW) stored.insert(column_text(all.stmt, 0));
  }
  if (!stored.empty()) {
    // A node whose rows changed (curated again, removed) was covered by the
    // assignment of its own key or of one of its ancestors' keys.
    Statement forget;
    sqlite3_prepare_v2(db_, "DELETE FROM assignments WHERE key = ?1", -1, &forget.stmt, nullptr);
    const auto forget_covering = [&](const std::string& key) {
      for (std::size_t end = key.find('/'); !stored.empty(); end = key.find('/', end + 1)) {
        const std::string prefix = key.substr(0, end);
        if (stored.erase(prefix) > 0) {
          bind_text(forget.stmt, 1, prefix);
          step_done(forget.stmt, "forgetting assignment digests");
        }
        if (end == std::string::npos) break;
      }
    };
    for (const auto& [id, key] : curated_) forget_covering(key);
    for (const LogRecord& node : removed) forget_covering(node.search_key);
  }
  Statement keep;
  sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO assignments(key, digest) VALUES(?1, ?2)", -1, &keep.stmt, nullptr);
  for (const auto& [key, digest] : digests) {
    bind_text(keep.stmt, 1, key);
    bind_text(keep.stmt, 2, digest);
    step_done(keep.stmt, "keeping assignment digests");
  }
}

}  // namespace ramify
