#pragma once
// Where the nodes of a hierarchy come from.

#include <string>
#include <vector>

#include "ramify/node.hpp"

namespace ramify {

// The children of one container, in byte order of their labels. When the
// container cannot be listed, `error` says why and `children` is empty;
// `warnings` name entries that were left out (sockets, devices...).
struct ChildListing {
  std::vector<Node> children;
  std::string error;
  std::vector<std::string> warnings;
  std::vector<std::string> excluded;  // ids of entries a directory tree's `exclude` left out
};

class HierarchySource {
 public:
  virtual ~HierarchySource() = default;
  // The root of the hierarchy; throws SourceError when it cannot be read.
  virtual Node root() = 0;
  virtual ChildListing children(const Node& container) = 0;
  // Where a node lives on this machine's file system ("" when it has no file).
  virtual std::string local_path(const Node& node) const = 0;
};

// Sorts children in the documented visiting order: byte order of labels, then ids.
void sort_children(std::vector<Node>& children);

}  // namespace ramify
