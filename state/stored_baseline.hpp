#pragma once
// What the broker reads of the state store when a run starts: every stored
// node whose last outcome did not fail, ordered by search key, so that each
// assignment gets the part below its root (Assign::baseline). A store that
// does not exist yet is empty (the sink makes it); one that cannot be read
// is a ConfigError.

#include <string>
#include <vector>

#include "protocol/messages.hpp"

namespace ramify {

// An assignment root's search key: the labels from the hierarchy's root, joined by '/'.
std::string search_key_of(const std::vector<Node>& ancestors, const Node& root);

class StoredBaseline {
 public:
  StoredBaseline() = default;
  static StoredBaseline load(const std::string& path);

  // "" when the store does not exist yet.
  const std::string& store_id() const { return store_id_; }
  std::size_t size() const { return nodes_.size(); }

  // The stored nodes of an assignment rooted at `root_key` (its search key):
  // its whole subtree, or for a shallow one the root and its files.
  std::vector<BaselineNode> below(const std::string& root_key, bool shallow) const;

 private:
  struct Entry {
    std::string search_key;
    bool is_file = false;
    BaselineNode node;
  };
  std::string store_id_;
  std::vector<Entry> nodes_;  // by search key
};

}  // namespace ramify
