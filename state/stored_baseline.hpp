#pragma once
// What the broker reads of the state store: the stored nodes whose last
// outcome did not fail, looked up by search key when an assignment is
// dispatched, so that each assignment gets the part below its root
// (Assign::baseline) and a run starts without reading the whole store. The
// reader holds a read-only connection: in WAL mode it sees the last
// committed run while the sink writes this one. A store that does not exist
// yet is empty (the sink makes it); one that cannot be read is a ConfigError.

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "protocol/messages.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ramify {

// An assignment root's search key: the labels from the hierarchy's root, joined by '/'.
std::string search_key_of(const std::vector<Node>& ancestors, const Node& root);

class StoredBaseline {
 public:
  StoredBaseline() = default;
  // Opens the store (throws ConfigError); an empty baseline when it does not exist yet.
  static StoredBaseline load(const std::string& path);

  // "" when the store does not exist yet.
  const std::string& store_id() const { return store_id_; }
  // The nodes that may be carried over (a count over the whole store).
  std::size_t size() const;

  // The stored nodes of an assignment rooted at `root_key` (its search key):
  // its whole subtree, or for a shallow one the root and its files; the
  // fields of every node, or (`every_fields` false) of the root only. Throws ConfigError.
  std::vector<BaselineNode> below(const std::string& root_key, bool shallow, bool every_fields = true) const;
  // The stored node with search key `key`, with its fields, when it may be carried over. Throws ConfigError.
  std::optional<BaselineNode> node(const std::string& key) const;
  // The digest the last run that did the assignment rooted at `key` without
  // a failure kept of it (broker/assignment_digest.hpp); "" when none stands.
  std::string assignment_digest(const std::string& key) const;

 private:
  struct Reader;
  std::string store_id_;
  std::unordered_map<std::string, std::string> digests_;  // by assignment root key, read when loaded
  std::shared_ptr<Reader> reader_;  // null: nothing stored
};

}  // namespace ramify
