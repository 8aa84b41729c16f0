#pragma once
// The node model shared by sources, curators and the wire protocol.

#include <cstdint>
#include <map>
#include <string>

namespace ramify {

// Level name given to files, and to folders deeper than the job's named levels.
inline constexpr const char* kFileLevel = "file";
inline constexpr const char* kFolderLevel = "folder";

// The id of a directory tree's root node (ids are paths relative to the root).
inline constexpr const char* kRootId = ".";

// One node of the hierarchy. `id` is stable and unique within the hierarchy:
// for a directory tree it is the path relative to the root ("." for the root).
struct Node {
  std::string id;
  std::string parent;  // id of the parent; empty for the root of the hierarchy
  std::string level;   // a job level, kFolderLevel or kFileLevel
  std::string label;   // display name (the base name for a directory tree)
  bool is_file = false;
  std::int64_t size = -1;  // bytes; -1 when unknown
  std::int64_t mtime = 0;  // seconds since the epoch; 0 when unknown
  std::map<std::string, std::string> attrs;  // whatever else the source knows

  bool operator==(const Node&) const = default;
};

}  // namespace ramify
