#include "broker/partitioner.hpp"

#include "common/memory_source.hpp"

namespace ramify {
namespace {

struct Pending {
  Node node;
  std::vector<Node> ancestors;
  std::size_t depth;
  std::optional<std::uint64_t> after;
};

}  // namespace

std::vector<AssignmentSpec> partition(HierarchySource& source, std::size_t partition_depth,
                                      const MemorySource* manifest) {
  std::vector<AssignmentSpec> shallow;
  std::vector<AssignmentSpec> subtrees;
  std::vector<Pending> level{Pending{source.root(), {}, 0, std::nullopt}};
  std::uint64_t next_shallow = 0;

  // Breadth-first over the containers above the partition depth.
  while (!level.empty()) {
    std::vector<Pending> next_level;
    for (Pending& item : level) {
      if (item.depth >= partition_depth) {
        AssignmentSpec spec;
        spec.kind = AssignmentKind::subtree;
        spec.root = item.node;
        spec.ancestors = item.ancestors;
        spec.after = item.after;
        if (manifest) spec.nodes = manifest->subtree(item.node.id);
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
          if (manifest) spec.nodes.push_back(child);
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

}  // namespace ramify
