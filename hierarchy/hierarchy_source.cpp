#include "hierarchy/hierarchy_source.hpp"

#include <algorithm>

namespace ramify {

void sort_children(std::vector<Node>& children) {
  // std::string compares with char_traits<char>, which orders bytes as unsigned.
  std::sort(children.begin(), children.end(), [](const Node& a, const Node& b) {
    if (a.label != b.label) return a.label < b.label;
    return a.id < b.id;
  });
}

}  // namespace ramify
