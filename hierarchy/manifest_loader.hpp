#pragma once
// Reads a JSON Lines manifest: one {"id","parent","level","label","attrs"} per line.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hierarchy/memory_source.hpp"

namespace ramify {

// Throws SourceError naming the file, the line and the problem. `id` and
// `level` are required; `parent` is missing or null for the one root; `label`
// defaults to the id's last '/' component; `attrs` holds scalars (numbers
// `size` and `mtime` fill the node's fields). Levels must be job levels,
// "folder" or "file" (a file node has level "file").
//
// With `root` set, every node lives at root/ID: an id may then not be
// absolute nor contain a ".." part (it would escape the root), and the node's
// `path` attribute is set to root/ID.
std::unique_ptr<MemorySource> load_manifest(const std::string& path, const std::vector<std::string>& levels,
                                            const std::string& root = {});
// The same, from text already in memory (`name` names it in errors).
std::unique_ptr<MemorySource> parse_manifest(std::string_view text, const std::vector<std::string>& levels,
                                             const std::string& name, const std::string& root = {});

}  // namespace ramify
