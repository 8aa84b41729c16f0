#pragma once
// A directory tree as a hierarchy: the root and its folders take the job's
// levels (by depth, or by name: spec/job_levels.hpp; a folder no level
// takes is a "folder"), regular files are "file" nodes of their folder.
// A symlink is a "file" node with attribute `symlink` (its target, as
// written); one to a file that `follow` allows (inside: its target is below
// the root) takes the target's size and mtime. Links to folders are never
// descended. Sockets, FIFOs and devices are left out with a warning.

#include <string>
#include <vector>

#include "hierarchy/hierarchy_source.hpp"
#include "spec/job_levels.hpp"
#include "spec/job_spec.hpp"
#include "spec/path_patterns.hpp"

namespace ramify {

class DirectorySource : public HierarchySource {
 public:
  // Paths that `excluded` matches are left out, with everything below them.
  DirectorySource(std::string root_path, JobLevels levels, PathPatterns excluded = {},
                  FollowLinks follow = FollowLinks::inside);

  Node root() override;
  ChildListing children(const Node& container) override;
  std::string local_path(const Node& node) const override;

 private:
  std::string root_path_;
  JobLevels levels_;
  PathPatterns excluded_;
  FollowLinks follow_;
  std::string real_root_;  // the root with its links resolved; found on the first symlink
};

}  // namespace ramify
