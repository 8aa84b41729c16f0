#include "hierarchy/hierarchy_source.hpp"

#include <algorithm>

namespace ramify {

std::string level_at_depth(const std::vector<std::string>& levels, std::size_t depth) {
  return depth < levels.size() ? levels[depth] : std::string(kFolderLevel);
}

std::size_t depth_of_id(const std::string& id) {
  if (id.empty() || id == kRootId) return 0;
  return static_cast<std::size_t>(std::count(id.begin(), id.end(), '/')) + 1;
}

void sort_children(std::vector<Node>& children) {
  // std::string compares with char_traits<char>, which orders bytes as unsigned.
  std::sort(children.begin(), children.end(), [](const Node& a, const Node& b) {
    if (a.label != b.label) return a.label < b.label;
    return a.id < b.id;
  });
}

}  // namespace ramify
