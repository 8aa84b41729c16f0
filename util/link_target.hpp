#pragma once
// What a symlink leads to, and whether that stays inside a folder: the
// policy `follow_symlinks` applies it (a directory tree's root).

#include <sys/stat.h>

#include <string>

namespace ramify {

struct LinkTarget {
  enum class Kind { file, folder, missing, other, unreadable };
  Kind kind = Kind::unreadable;
  std::string real_path;  // every link resolved; "" unless the target exists
  struct stat st {};      // the target's, when it exists
  bool inside = false;    // real_path is `real_root` or below it
  std::string error;      // for unreadable: why (strerror)
};

// Resolves `link_path` completely (realpath) and stats what it leads to.
// `real_root` is a folder with every link already resolved (real_folder()).
LinkTarget resolve_link(const std::string& link_path, const std::string& real_root);

// `path` with every link resolved, or "" when it cannot be.
std::string real_folder(const std::string& path);

}  // namespace ramify
