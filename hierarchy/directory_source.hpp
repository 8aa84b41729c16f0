#pragma once
// A directory tree as a hierarchy: depth d under the root is level d (deeper
// folders are "folder"), regular files are "file" nodes of their folder.
// Symlinks are never followed: a symlink is a "file" node with attribute
// `symlink` (its target). Sockets, FIFOs and devices are left out with a warning.

#include <string>
#include <vector>

#include "hierarchy/hierarchy_source.hpp"

namespace ramify {

class DirectorySource : public HierarchySource {
 public:
  DirectorySource(std::string root_path, std::vector<std::string> levels);

  Node root() override;
  ChildListing children(const Node& container) override;
  std::string local_path(const Node& node) const override;

 private:
  std::string root_path_;
  std::vector<std::string> levels_;
};

}  // namespace ramify
