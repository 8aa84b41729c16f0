#pragma once
// A hierarchy held in memory: a loaded manifest on the broker, or the nodes
// of one manifest assignment on a worker.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/hierarchy_source.hpp"

namespace ramify {

class MemorySource : public HierarchySource {
 public:
  // `root` plus every node below it, in any order. Throws SourceError when a
  // node's parent is missing, an id repeats, or a node is not below `root`.
  MemorySource(Node root, std::vector<Node> below_root);

  Node root() override { return nodes_.front(); }
  ChildListing children(const Node& container) override { return children_of(container); }
  ChildListing children_of(const Node& container) const;
  // The node's `path` attribute, or "" (manifest nodes need not be files).
  std::string local_path(const Node& node) const override;

  // Every node below `id`, parents before children (depth-first, sorted).
  std::vector<Node> subtree(const std::string& id) const;
  // The number of nodes in the subtree of `id`, itself included (0 when unknown).
  std::uint64_t subtree_size(const std::string& id) const;
  std::size_t size() const { return nodes_.size(); }

 private:
  std::vector<Node> nodes_;  // nodes_[0] is the root
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<std::vector<std::size_t>> children_;  // by node index, sorted
  std::vector<std::uint64_t> sizes_;                // by node index: subtree sizes
};

}  // namespace ramify
