#pragma once
// `--html OUT` (ramify run, ramify report): where the HTML run report goes.

#include <string>

namespace ramify {

// Checks, writing nothing, that the HTML report can be written at `path`:
// not a directory, its folder there, not an existing file unless `replace`.
// Throws ConfigError.
void check_html_path(const std::string& path, bool replace);

}  // namespace ramify
