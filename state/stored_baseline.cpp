#include "state/stored_baseline.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include "ramify/node.hpp"
#include "state/state_schema.hpp"
#include "util/errors.hpp"

namespace ramify {

using namespace state_schema;

namespace {

constexpr const char* kCarriable = "status != 1 AND stamp != ''";  // failed nodes are always curated again

// The current row of the range query as a node; its fields only `with_fields`.
BaselineNode read_node(sqlite3_stmt* range, bool with_fields) {
  BaselineNode node;
  node.id = column_text(range, 0);
  node.stamp = column_text(range, 3);
  if (with_fields) node.fields = unpack_fields(column_blob(range, 4));
  node.pruned = sqlite3_column_int(range, 5) != 0;
  return node;
}

}  // namespace

struct StoredBaseline::Reader {
  std::string path;
  sqlite3* db = nullptr;
  sqlite3_stmt* range = nullptr;  // the carriable nodes with keys in [?1, ?2), by key
  ~Reader() {
    sqlite3_finalize(range);
    sqlite3_close_v2(db);
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw ConfigError("state store " + path + ": " + what + ": " + sqlite3_errmsg(db) +
                      " (is it a ramify state store?)");
  }
};

StoredBaseline StoredBaseline::load(const std::string& path) {
  StoredBaseline baseline;
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return baseline;  // the first run: the sink makes the store
  auto reader = std::make_shared<Reader>();
  reader->path = path;
  if (sqlite3_open_v2(path.c_str(), &reader->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    if (!reader->db) throw ConfigError("state store " + path + ": out of memory");
    reader->fail("cannot open it");
  }
  sqlite3_busy_timeout(reader->db, 5000);
  sqlite3_exec(reader->db, "PRAGMA mmap_size = 1073741824", nullptr, nullptr, nullptr);
  {
    // A store the sink is making this moment has no tables yet: nothing is stored.
    Statement tables;
    if (sqlite3_prepare_v2(reader->db,
                           "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'nodes')", -1,
                           &tables.stmt, nullptr) != SQLITE_OK)
      reader->fail("cannot read it");
    if (sqlite3_step(tables.stmt) != SQLITE_ROW || sqlite3_column_int(tables.stmt, 0) < 2) return baseline;
  }
  {
    Statement meta;
    if (sqlite3_prepare_v2(reader->db, "SELECT value FROM meta WHERE key = 'store_id'", -1, &meta.stmt, nullptr) !=
        SQLITE_OK)
      reader->fail("cannot read it");
    if (sqlite3_step(meta.stmt) == SQLITE_ROW) baseline.store_id_ = column_text(meta.stmt, 0);
  }
  {
    // The digests of assignments done without a failure (a store of an earlier release has none).
    Statement digests;
    if (sqlite3_prepare_v2(reader->db, "SELECT key, digest FROM assignments", -1, &digests.stmt, nullptr) ==
        SQLITE_OK) {
      while (sqlite3_step(digests.stmt) == SQLITE_ROW)
        baseline.digests_.emplace(column_text(digests.stmt, 0), column_text(digests.stmt, 1));
    }
  }
  const std::string range = std::string("SELECT id, search_key, level, stamp, fields, pruned FROM nodes") +
                            " WHERE search_key >= ?1 AND search_key < ?2 AND " + kCarriable + " ORDER BY search_key";
  if (sqlite3_prepare_v2(reader->db, range.c_str(), -1, &reader->range, nullptr) != SQLITE_OK)
    reader->fail("cannot read its nodes");
  baseline.reader_ = std::move(reader);
  return baseline;
}

std::size_t StoredBaseline::size() const {
  if (!reader_) return 0;
  Statement count;
  if (sqlite3_prepare_v2(reader_->db, (std::string("SELECT COUNT(*) FROM nodes WHERE ") + kCarriable).c_str(), -1,
                         &count.stmt, nullptr) != SQLITE_OK ||
      sqlite3_step(count.stmt) != SQLITE_ROW)
    reader_->fail("cannot count its nodes");
  return static_cast<std::size_t>(sqlite3_column_int64(count.stmt, 0));
}

std::string search_key_of(const std::vector<Node>& ancestors, const Node& root) {
  std::string key;
  for (const Node& ancestor : ancestors) key += ancestor.label + "/";
  return key + root.label;
}

std::vector<BaselineNode> StoredBaseline::below(const std::string& root_key, bool shallow, bool every_fields) const {
  std::vector<BaselineNode> out;
  if (!reader_) return out;
  sqlite3_stmt* range = reader_->range;
  // Keys below the root sort from "ROOT/" up to "ROOT0" ('0' follows '/'). A
  // shallow root takes only its files: past a key deeper than a child's, the
  // scan leaps to the end of that child's subtree.
  const auto scan = [&](const std::string& from, const std::string& to) {
    bind_text(range, 1, from);
    bind_text(range, 2, to);
  };
  scan(root_key, root_key + "0");
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(range)) == SQLITE_ROW) {
    std::string key = column_text(range, 1);
    if (!within(key, root_key)) continue;  // a sibling such as "ROOT-b", between "ROOT" and "ROOT/"
    if (shallow && key.size() != root_key.size()) {
      if (auto next = past_child_subtree(key, root_key)) {
        sqlite3_reset(range);
        scan(*next, root_key + "0");
        continue;
      }
      if (column_text(range, 2) != kFileLevel) continue;
    }
    out.push_back(read_node(range, every_fields || key.size() == root_key.size()));
  }
  sqlite3_reset(range);
  if (rc != SQLITE_DONE) reader_->fail("cannot read its nodes");
  return out;
}

std::optional<BaselineNode> StoredBaseline::node(const std::string& key) const {
  if (!reader_) return std::nullopt;
  sqlite3_stmt* range = reader_->range;
  bind_text(range, 1, key);
  bind_text(range, 2, key + kJustAfter);
  std::optional<BaselineNode> out;
  const int rc = sqlite3_step(range);
  if (rc == SQLITE_ROW) out = read_node(range, true);
  sqlite3_reset(range);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) reader_->fail("cannot read its nodes");
  return out;
}

std::string StoredBaseline::assignment_digest(const std::string& key) const {
  auto it = digests_.find(key);
  return it == digests_.end() ? std::string() : it->second;
}

}  // namespace ramify
