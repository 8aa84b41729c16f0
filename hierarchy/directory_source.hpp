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

struct stat;

namespace ramify {

// With keep_stamps(), the attribute that holds a node's stamp: its size,
// mtime in nanoseconds, inode and device ("SIZE:SEC.NSEC:INO:DEV").
inline constexpr const char* kStampAttribute = "ramify:stamp";
std::string stat_stamp(const struct stat& st);

class DirectorySource : public HierarchySource {
 public:
  // Paths that `excluded` matches are left out, with everything below them.
  DirectorySource(std::string root_path, JobLevels levels, PathPatterns excluded = {},
                  FollowLinks follow = FollowLinks::inside);

  Node root() override;
  ChildListing children(const Node& container) override;
  std::string local_path(const Node& node) const override;
  // Incremental runs: every node read from now on carries kStampAttribute.
  void keep_stamps() { stamps_ = true; }

 private:
  bool stamps_ = false;
  std::string root_path_;
  JobLevels levels_;
  PathPatterns excluded_;
  FollowLinks follow_;
  std::string real_root_;  // the root with its links resolved; found on the first symlink
};

}  // namespace ramify
