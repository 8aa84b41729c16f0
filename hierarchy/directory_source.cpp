#include "hierarchy/directory_source.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "hierarchy/node_paths.hpp"
#include "util/errors.hpp"
#include "util/link_target.hpp"

namespace ramify {
namespace {

std::string base_name(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

void fill_stat(Node& node, const struct stat& st, bool stamp) {
  node.size = static_cast<std::int64_t>(st.st_size);
  node.mtime = static_cast<std::int64_t>(st.st_mtim.tv_sec);
  if (stamp) node.attrs[kStampAttribute] = stat_stamp(st);
}

// Closes a DIR* on every path out of a scope.
struct DirCloser {
  DIR* dir;
  ~DirCloser() {
    if (dir) closedir(dir);
  }
};

}  // namespace

std::string stat_stamp(const struct stat& st) {
  return std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_dev);
}

DirectorySource::DirectorySource(std::string root_path, JobLevels levels, PathPatterns excluded, FollowLinks follow)
    : root_path_(std::move(root_path)), levels_(std::move(levels)), excluded_(std::move(excluded)), follow_(follow) {
  while (root_path_.size() > 1 && root_path_.back() == '/') root_path_.pop_back();
}

Node DirectorySource::root() {
  struct stat st {};
  if (lstat(root_path_.c_str(), &st) != 0)
    throw SourceError("root " + root_path_ + ": " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) throw SourceError("root " + root_path_ + " is not a directory");
  Node node;
  node.id = kRootId;
  node.level = levels_.root_level();
  node.label = base_name(root_path_);
  fill_stat(node, st, stamps_);
  return node;
}

std::string DirectorySource::local_path(const Node& node) const {
  if (node.id.empty() || node.id == kRootId) return root_path_;
  return path_below(root_path_, node.id);
}

ChildListing DirectorySource::children(const Node& container) {
  ChildListing listing;
  const std::string path = local_path(container);
  DirCloser closer{opendir(path.c_str())};
  if (!closer.dir) {
    listing.error = "cannot list folder: " + std::string(std::strerror(errno));
    return listing;
  }
  const int dir_fd = dirfd(closer.dir);
  const std::string prefix = (container.id.empty() || container.id == kRootId) ? "" : container.id + "/";

  for (;;) {
    errno = 0;
    dirent* entry = readdir(closer.dir);
    if (!entry) {
      if (errno != 0) {
        listing.error = "cannot list folder: " + std::string(std::strerror(errno));
        listing.children.clear();
        return listing;
      }
      break;
    }
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    std::string id = prefix + name;
    if (excluded_.matches(id)) {
      listing.excluded.push_back(std::move(id));
      continue;
    }
    struct stat st {};
    if (fstatat(dir_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      listing.warnings.push_back("cannot stat " + id + ": " + std::strerror(errno));
      continue;
    }
    Node child;
    child.id = std::move(id);
    child.parent = container.id;
    child.label = name;
    fill_stat(child, st, stamps_);
    if (S_ISDIR(st.st_mode)) {
      child.level = levels_.folder_level(container.level, name);
    } else if (S_ISREG(st.st_mode)) {
      child.level = kFileLevel;
      child.is_file = true;
    } else if (S_ISLNK(st.st_mode)) {
      child.level = kFileLevel;
      child.is_file = true;
      std::string target(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 4096), '\0');
      ssize_t n = readlinkat(dir_fd, entry->d_name, target.data(), target.size());
      child.attrs["symlink"] = n >= 0 ? target.substr(0, static_cast<std::size_t>(n)) : std::string();
      if (follow_ != FollowLinks::none) {
        if (real_root_.empty()) real_root_ = real_folder(root_path_);
        const LinkTarget resolved = resolve_link(path + "/" + name, real_root_);
        if (resolved.kind == LinkTarget::Kind::file && (resolved.inside || follow_ == FollowLinks::all))
          fill_stat(child, resolved.st, stamps_);
      }
    } else {
      listing.warnings.push_back("left out " + child.id + ": not a file, folder or symlink");
      continue;
    }
    listing.children.push_back(std::move(child));
  }
  sort_children(listing.children);
  std::sort(listing.excluded.begin(), listing.excluded.end());
  return listing;
}

}  // namespace ramify
