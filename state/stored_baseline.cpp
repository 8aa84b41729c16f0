#include "state/stored_baseline.hpp"

#include <sys/stat.h>

#include <algorithm>

#include "ramify/node.hpp"
#include "state/state_schema.hpp"
#include "util/errors.hpp"

namespace ramify {

using namespace state_schema;

StoredBaseline StoredBaseline::load(const std::string& path) {
  StoredBaseline baseline;
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return baseline;  // the first run: the sink makes the store
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    throw ConfigError("state store " + path + ": " + why);
  }
  sqlite3_busy_timeout(db, 5000);
  auto fail = [&](const std::string& what) {
    std::string why = what + ": " + sqlite3_errmsg(db);
    sqlite3_close_v2(db);
    throw ConfigError("state store " + path + ": " + why + " (is it a ramify state store?)");
  };
  {
    // A store the sink is making this moment has no tables yet: nothing is stored.
    Statement tables;
    if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'nodes')",
                           -1, &tables.stmt, nullptr) != SQLITE_OK)
      fail("cannot read it");
    if (sqlite3_step(tables.stmt) != SQLITE_ROW || sqlite3_column_int(tables.stmt, 0) < 2) {
      sqlite3_close_v2(db);
      return baseline;
    }
  }
  {
    Statement meta;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'store_id'", -1, &meta.stmt, nullptr) != SQLITE_OK)
      fail("cannot read it");
    if (sqlite3_step(meta.stmt) == SQLITE_ROW) baseline.store_id_ = column_text(meta.stmt, 0);
  }
  {
    Statement nodes;
    if (sqlite3_prepare_v2(
            db,
            "SELECT id, search_key, level, stamp, fields, pruned FROM nodes WHERE status != 1 AND stamp != ''"
            " ORDER BY search_key",
            -1, &nodes.stmt, nullptr) != SQLITE_OK)
      fail("cannot read its nodes");
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(nodes.stmt)) == SQLITE_ROW) {
      Entry entry;
      entry.node.id = column_text(nodes.stmt, 0);
      entry.search_key = column_text(nodes.stmt, 1);
      entry.is_file = column_text(nodes.stmt, 2) == kFileLevel;
      entry.node.stamp = column_text(nodes.stmt, 3);
      entry.node.fields = unpack_fields(column_blob(nodes.stmt, 4));
      entry.node.pruned = sqlite3_column_int(nodes.stmt, 5) != 0;
      baseline.nodes_.push_back(std::move(entry));
    }
    if (rc != SQLITE_DONE) fail("cannot read its nodes");
  }
  sqlite3_close_v2(db);
  return baseline;
}

std::string search_key_of(const std::vector<Node>& ancestors, const Node& root) {
  std::string key;
  for (const Node& ancestor : ancestors) key += ancestor.label + "/";
  return key + root.label;
}

std::vector<BaselineNode> StoredBaseline::below(const std::string& root_key, bool shallow) const {
  std::vector<BaselineNode> out;
  auto it = std::lower_bound(nodes_.begin(), nodes_.end(), root_key,
                             [](const Entry& e, const std::string& key) { return e.search_key < key; });
  // Keys below the root sort between "ROOT" and "ROOT0" ('0' follows '/'); others there are skipped.
  for (; it != nodes_.end() && it->search_key.compare(0, root_key.size(), root_key) == 0; ++it) {
    if (!state_schema::within(it->search_key, root_key)) continue;
    if (shallow && it->search_key.size() != root_key.size() &&
        (!it->is_file || it->search_key.find('/', root_key.size() + 1) != std::string::npos))
      continue;
    out.push_back(it->node);
  }
  return out;
}

}  // namespace ramify
