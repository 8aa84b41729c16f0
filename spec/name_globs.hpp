#pragma once
// Name globs as the job spec writes them: fnmatch patterns for one name (no
// '/'), `|` between alternatives: `sub-*`, `*.json|*.tsv`. Used by `levels`
// (which folder names a level takes) and `[exec] LEVEL:GLOB` (which nodes a
// command runs on).

#include <string>
#include <vector>

namespace ramify {

// Splits `text` at '|'; throws ConfigError "WHAT: a pattern is a name glob, not
// empty and without '/'" for an empty alternative or one with a '/'.
std::vector<std::string> parse_name_globs(const std::string& text, const std::string& what);

// Whether `name` matches one of `globs` (fnmatch without flags: `*` matches a leading dot).
bool matches_any_glob(const std::vector<std::string>& globs, const std::string& name);

}  // namespace ramify
