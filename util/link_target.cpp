#include "util/link_target.hpp"

#include <climits>
#include <cstdlib>
#include <cerrno>
#include <cstring>

namespace ramify {

std::string real_folder(const std::string& path) {
  char* resolved = realpath(path.c_str(), nullptr);
  if (!resolved) return {};
  std::string out(resolved);
  std::free(resolved);
  return out;
}

LinkTarget resolve_link(const std::string& link_path, const std::string& real_root) {
  LinkTarget target;
  char* resolved = realpath(link_path.c_str(), nullptr);
  if (!resolved) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR) {
      target.kind = LinkTarget::Kind::missing;
    } else {
      target.kind = LinkTarget::Kind::unreadable;  // ELOOP (a cycle), EACCES, ...
      target.error = std::strerror(error);
    }
    return target;
  }
  target.real_path = resolved;
  std::free(resolved);
  if (stat(target.real_path.c_str(), &target.st) != 0) {
    target.kind = LinkTarget::Kind::unreadable;
    target.error = std::strerror(errno);
    return target;
  }
  target.kind = S_ISREG(target.st.st_mode)   ? LinkTarget::Kind::file
                : S_ISDIR(target.st.st_mode) ? LinkTarget::Kind::folder
                                             : LinkTarget::Kind::other;
  const std::string& p = target.real_path;
  target.inside = !real_root.empty() && p.compare(0, real_root.size(), real_root) == 0 &&
                  (p.size() == real_root.size() || real_root == "/" || p[real_root.size()] == '/');
  return target;
}

}  // namespace ramify
