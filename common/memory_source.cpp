#include "common/memory_source.hpp"

#include <algorithm>

#include "common/errors.hpp"

namespace ramify {

MemorySource::MemorySource(Node root, std::vector<Node> below_root) {
  nodes_.reserve(below_root.size() + 1);
  nodes_.push_back(std::move(root));
  for (auto& node : below_root) nodes_.push_back(std::move(node));
  index_.reserve(nodes_.size());
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (!index_.emplace(nodes_[i].id, i).second)
      throw SourceError("node id '" + nodes_[i].id + "' appears twice");
  }
  children_.resize(nodes_.size());
  for (std::size_t i = 1; i < nodes_.size(); ++i) {
    auto parent = index_.find(nodes_[i].parent);
    if (parent == index_.end())
      throw SourceError("node '" + nodes_[i].id + "' has unknown parent '" + nodes_[i].parent + "'");
    if (parent->second == i) throw SourceError("node '" + nodes_[i].id + "' is its own parent");
    children_[parent->second].push_back(i);
  }
  for (auto& kids : children_) {
    std::sort(kids.begin(), kids.end(), [this](std::size_t a, std::size_t b) {
      if (nodes_[a].label != nodes_[b].label) return nodes_[a].label < nodes_[b].label;
      return nodes_[a].id < nodes_[b].id;
    });
  }
  // Every node must hang below the root: count what a walk from the root
  // reaches, and sum subtree sizes in the reverse of that pre-order.
  std::vector<std::size_t> order;
  order.reserve(nodes_.size());
  std::vector<std::size_t> stack{0};
  while (!stack.empty()) {
    std::size_t i = stack.back();
    stack.pop_back();
    order.push_back(i);
    stack.insert(stack.end(), children_[i].begin(), children_[i].end());
  }
  const std::size_t reached = order.size();
  sizes_.assign(nodes_.size(), 1);
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    for (std::size_t child : children_[*it]) sizes_[*it] += sizes_[child];
  if (reached != nodes_.size())
    throw SourceError(std::to_string(nodes_.size() - reached) +
                      " node(s) are not below the root (a parent cycle)");
}

ChildListing MemorySource::children_of(const Node& container) const {
  ChildListing listing;
  auto it = index_.find(container.id);
  if (it == index_.end()) {
    listing.error = "unknown node '" + container.id + "'";
    return listing;
  }
  listing.children.reserve(children_[it->second].size());
  for (std::size_t child : children_[it->second]) listing.children.push_back(nodes_[child]);
  return listing;
}

std::string MemorySource::local_path(const Node& node) const {
  auto it = node.attrs.find("path");
  return it == node.attrs.end() ? std::string() : it->second;
}

std::uint64_t MemorySource::subtree_size(const std::string& id) const {
  auto it = index_.find(id);
  return it == index_.end() ? 0 : sizes_[it->second];
}

std::vector<Node> MemorySource::subtree(const std::string& id) const {
  std::vector<Node> out;
  auto it = index_.find(id);
  if (it == index_.end()) return out;
  std::vector<std::size_t> stack(children_[it->second].rbegin(), children_[it->second].rend());
  while (!stack.empty()) {
    std::size_t i = stack.back();
    stack.pop_back();
    out.push_back(nodes_[i]);
    stack.insert(stack.end(), children_[i].rbegin(), children_[i].rend());
  }
  return out;
}

}  // namespace ramify
