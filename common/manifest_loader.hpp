#pragma once
// Reads a JSON Lines manifest: one {"id","parent","level","label","attrs"} per line.

#include <memory>
#include <string>
#include <vector>

#include "common/memory_source.hpp"

namespace ramify {

// Throws SourceError naming the file, the line and the problem. `id` and
// `level` are required; `parent` is missing or null for the one root; `label`
// defaults to the id's last '/' component; `attrs` holds scalars (numbers
// `size` and `mtime` fill the node's fields). Levels must be job levels,
// "folder" or "file" (a file node has level "file").
std::unique_ptr<MemorySource> load_manifest(const std::string& path, const std::vector<std::string>& levels);

}  // namespace ramify
