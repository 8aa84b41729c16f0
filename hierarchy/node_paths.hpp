#pragma once
// Node ids are names, not paths: a node with id ID lives at ROOT/ID, and no id
// may lead out of its root.

#include <string>
#include <string_view>

namespace ramify {

// Why `id` cannot name a node below a root: "" when it can. Refused: an empty
// or absolute id, a '..' part, a NUL byte, and (unless `control_bytes_allowed`,
// as for names read from a directory) any other control byte.
std::string id_problem(std::string_view id, bool control_bytes_allowed);

// ROOT/ID: throws SourceError when the id has a problem (above), so that the
// joined path always stays below the root. Checked wherever a path is made
// from an id, also on workers (an id comes over the network).
std::string path_below(const std::string& root, std::string_view id);

}  // namespace ramify
