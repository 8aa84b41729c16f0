#pragma once
// Building nodes in tests.

#include <string>

#include "ramify/node.hpp"

namespace ramify::testing {

// A node with `id`, its parent and level; the label is the id's last '/' part.
inline Node make_node(const std::string& id, const std::string& parent, const std::string& level) {
  Node n;
  n.id = id;
  n.parent = parent;
  n.level = level;
  n.is_file = level == kFileLevel;
  auto slash = id.rfind('/');
  n.label = slash == std::string::npos ? id : id.substr(slash + 1);
  return n;
}

}  // namespace ramify::testing
