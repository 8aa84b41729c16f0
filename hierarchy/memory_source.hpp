#pragma once
// A hierarchy held in memory: a loaded manifest on the broker, or the nodes
// of one manifest assignment on a worker.
//
// Stored compactly, because a broker holds whole manifests of millions of
// nodes: every string in one arena, each node a fixed-size record linked to
// its parent and children by index, and an open-addressing index from ids to
// records. Node objects are built only when asked for (root(), children(),
// subtree()). About 100 bytes per node plus its strings.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hierarchy/hierarchy_source.hpp"
#include "util/huge_page_allocator.hpp"

namespace ramify {

class MemorySource : public HierarchySource {
 public:
  // One node as handed to a Builder; the views need only outlive add().
  struct NodeView {
    std::string_view id;
    std::string_view parent;  // empty for the root
    std::string_view level;
    std::string_view label;   // empty: the id after its last '/'
    bool is_file = false;
    std::int64_t size = -1;
    std::int64_t mtime = 0;
    std::span<const std::pair<std::string_view, std::string_view>> attrs;
  };

  // Collects nodes in any order, then links and checks them.
  class Builder {
   public:
    // `path_root`, when not empty, gives every node a `path` attribute: the
    // root itself for the id ".", `path_root/id` for the others.
    explicit Builder(std::string path_root = {});
    // Sizes the storage for about this many nodes and string bytes (optional).
    void reserve(std::size_t nodes, std::size_t text_bytes);
    // Throws SourceError when the id repeats or a second root arrives.
    void add(const NodeView& node);
    // Throws SourceError when there is no root, a parent is missing, or a
    // node is not below the root (a cycle).
    MemorySource finish() &&;

   private:
    friend class MemorySource;
    std::unique_ptr<MemorySource> tree_;
    HugeVector<char> parents_;  // parent ids, back to back
    HugeVector<std::pair<std::uint64_t, std::uint32_t>> parent_spans_;  // by record
  };

  // `root` plus every node below it, in any order. Throws SourceError when a
  // node's parent is missing, an id repeats, or a node is not below `root`.
  MemorySource(const Node& root, const std::vector<Node>& below_root);

  MemorySource(MemorySource&&) noexcept = default;
  MemorySource& operator=(MemorySource&&) noexcept = default;

  Node root() override { return node_at(root_); }
  ChildListing children(const Node& container) override { return children_of(container); }
  ChildListing children_of(const Node& container) const;
  // The node's `path` attribute, or "" (manifest nodes need not be files).
  std::string local_path(const Node& node) const override;

  // Every node below `id`, parents before children (depth-first, sorted).
  std::vector<Node> subtree(const std::string& id) const;
  // The number of nodes in the subtree of `id`, itself included (0 when unknown).
  std::uint64_t subtree_size(const std::string& id) const;
  std::size_t size() const { return records_.size(); }
  // Hands `add` every byte that describes what an assignment of `id` covers,
  // in a fixed order: the node and (`shallow`) its children's ids and its
  // files, or every node of its subtree, each with its id, level, label,
  // size, mtime, attributes and child count. False when `id` is unknown.
  bool describe(const std::string& id, bool shallow, const std::function<void(std::string_view)>& add) const;

 private:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  struct Record {
    std::uint64_t text = 0;          // arena offset: the id, the label (unless derived), the attributes
    std::uint32_t id_length = 0;
    std::uint32_t label_length = 0;
    std::uint32_t attrs_length = 0;  // bytes of length-prefixed key/value pairs
    std::uint32_t parent = kNone;
    std::uint32_t first_child = 0;   // into children_
    std::uint32_t child_count = 0;
    std::uint32_t subtree_size = 1;
    std::uint16_t level = 0;         // into levels_
    bool is_file = false;
    bool label_in_id = false;        // the label is the id's last label_length bytes
    std::int64_t size = -1;
    std::int64_t mtime = 0;
  };

  MemorySource() = default;
  std::string_view id_of(const Record& record) const;
  std::string_view label_of(const Record& record) const;
  std::uint32_t find(std::string_view id) const;  // kNone when absent
  bool insert_into_index(std::uint32_t record);  // false when the id is there already
  void place_in_index(std::uint64_t hash, std::uint32_t record);
  std::uint16_t level_index(std::string_view level);
  void link(const Builder& builder);
  Node node_at(std::uint32_t record) const;

  std::string path_root_;
  std::vector<std::string> levels_;
  HugeVector<char> arena_;
  HugeVector<Record> records_;
  HugeVector<std::uint32_t> children_;  // each record's children, sorted, back to back
  // Open addressing over records_: a slot holds the id's hash in its high
  // half and the record in its low half, kFree when free.
  static constexpr std::uint64_t kFree = UINT64_MAX;
  HugeVector<std::uint64_t> index_;
  std::uint32_t root_ = kNone;
};

}  // namespace ramify
