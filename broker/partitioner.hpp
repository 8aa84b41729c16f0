#pragma once
// Splits a hierarchy into assignments. Containers above the partition depth
// are curated once each, in "shallow" assignments (the container and its
// files), before anything below them; every container at the partition depth
// becomes one "subtree" assignment that waits for its parent's shallow one.

#include <cstdint>
#include <optional>
#include <vector>

#include "common/hierarchy_source.hpp"
#include "common/protocol_enums.hpp"

namespace ramify {

class MemorySource;

struct AssignmentSpec {
  std::uint64_t id = 0;
  AssignmentKind kind = AssignmentKind::subtree;
  Node root;
  std::vector<Node> ancestors;  // the hierarchy's root first, the parent last
  std::vector<Node> nodes;      // manifest sources: what the worker walks below `root`
  std::optional<std::uint64_t> after;  // dispatched only once this assignment is done
};

// `manifest` is the loaded manifest when the source is one (its nodes travel
// with the assignments), or null for a directory tree (workers read it).
std::vector<AssignmentSpec> partition(HierarchySource& source, std::size_t partition_depth,
                                      const MemorySource* manifest);

}  // namespace ramify
