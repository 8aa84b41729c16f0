#include "broker/partitioner.hpp"

#include <unordered_map>

#include "hierarchy/memory_source.hpp"

namespace ramify {
namespace {

struct Pending {
  Node node;
  std::vector<Node> ancestors;
  std::size_t depth;
  std::optional<std::uint64_t> after;
};

// Sizes of subtrees (the node and everything below it), each counted once.
class SubtreeSizes {
 public:
  SubtreeSizes(HierarchySource& source, const MemorySource* manifest) : source_(source), manifest_(manifest) {}

  std::uint64_t of(const Node& node) {
    if (node.is_file) return 1;
    if (manifest_) return manifest_->subtree_size(node.id);
    auto it = sizes_.find(node.id);
    if (it != sizes_.end()) return it->second;
    std::uint64_t size = 1;
    for (const Node& child : source_.children(node).children) size += of(child);
    sizes_.emplace(node.id, size);
    return size;
  }

 private:
  HierarchySource& source_;
  const MemorySource* manifest_;
  std::unordered_map<std::string, std::uint64_t> sizes_;
};

}  // namespace

PartitionOptions partition_options(const JobSpec& spec, bool is_manifest) {
  PartitionOptions options;
  options.depth = spec.partition_depth();
  const std::string split = spec.get("job", "split");
  options.split = split == "on" || (split == "auto" && is_manifest);
  options.split_above = parse_count(spec.get("job", "split_above"), "job.split_above");
  return options;
}

std::vector<AssignmentSpec> partition(HierarchySource& source, const PartitionOptions& options,
                                      const MemorySource* manifest) {
  SubtreeSizes sizes(source, manifest);
  const Node root = source.root();
  std::uint64_t split_above = options.split_above;
  if (options.split && split_above == 0) split_above = std::max<std::uint64_t>(sizes.of(root) / 64, 1);
  const auto too_big = [&](const Node& node) {
    return options.split && !node.is_file && sizes.of(node) > split_above;
  };

  std::vector<AssignmentSpec> shallow;
  std::vector<AssignmentSpec> subtrees;
  std::vector<Pending> level{Pending{root, {}, 0, std::nullopt}};
  std::uint64_t next_shallow = 0;

  // Breadth-first over the containers curated on their own: those above the
  // partition depth, and those split because their subtree is too large.
  while (!level.empty()) {
    std::vector<Pending> next_level;
    for (Pending& item : level) {
      if (item.depth >= options.depth && !too_big(item.node)) {
        AssignmentSpec spec;
        spec.kind = AssignmentKind::subtree;
        spec.root = item.node;
        spec.ancestors = item.ancestors;
        spec.after = item.after;
        if (manifest && options.with_nodes) spec.nodes = manifest->subtree(item.node.id);
        spec.weight = (options.split || manifest) ? sizes.of(item.node) : 1;
        subtrees.push_back(std::move(spec));
        continue;
      }
      AssignmentSpec spec;
      spec.id = next_shallow++;
      spec.kind = AssignmentKind::shallow;
      spec.root = item.node;
      spec.ancestors = item.ancestors;
      spec.after = item.after;
      ChildListing listing = source.children(item.node);  // an error resurfaces on the worker
      std::vector<Node> chain = item.ancestors;
      chain.push_back(item.node);
      for (Node& child : listing.children) {
        if (child.is_file) {
          ++spec.weight;
          if (manifest && options.with_nodes) spec.nodes.push_back(child);
          continue;
        }
        next_level.push_back(Pending{std::move(child), chain, item.depth + 1, spec.id});
      }
      shallow.push_back(std::move(spec));
    }
    level = std::move(next_level);
  }

  // Shallow assignments first (ids 0..), then the subtrees.
  std::uint64_t next_id = shallow.size();
  for (AssignmentSpec& spec : subtrees) spec.id = next_id++;
  shallow.insert(shallow.end(), std::make_move_iterator(subtrees.begin()),
                 std::make_move_iterator(subtrees.end()));
  return shallow;
}

std::vector<Node> assignment_nodes(const AssignmentSpec& spec, const MemorySource& manifest) {
  if (spec.kind == AssignmentKind::subtree) return manifest.subtree(spec.root.id);
  std::vector<Node> files;
  for (Node& child : manifest.children_of(spec.root).children)
    if (child.is_file) files.push_back(std::move(child));
  return files;
}

}  // namespace ramify
