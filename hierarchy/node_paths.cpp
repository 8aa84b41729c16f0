#include "hierarchy/node_paths.hpp"

#include "util/errors.hpp"

namespace ramify {

std::string id_problem(std::string_view id, bool control_bytes_allowed) {
  if (id.empty()) return "it is empty";
  if (id.front() == '/') return "it is absolute";
  for (char byte : id) {
    const auto c = static_cast<unsigned char>(byte);
    if (c == 0) return "it holds a NUL byte";
    if (!control_bytes_allowed && (c < 0x20 || c == 0x7f)) return "it holds a control byte";
  }
  std::size_t start = 0;
  while (start <= id.size()) {
    auto end = id.find('/', start);
    if (end == std::string_view::npos) end = id.size();
    if (end - start == 2 && id.compare(start, 2, "..") == 0) return "it has a '..' part";
    start = end + 1;
  }
  return "";
}

std::string path_below(const std::string& root, std::string_view id) {
  const std::string problem = id_problem(id, /*control_bytes_allowed=*/true);
  if (!problem.empty()) throw SourceError("node id '" + std::string(id) + "' would be outside the root: " + problem);
  // A relative id without a '..' part or a NUL cannot lead out of the root
  // once joined ('.' parts and doubled slashes stay where they are).
  return root + "/" + std::string(id);
}

}  // namespace ramify
