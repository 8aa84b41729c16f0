#include "spec/path_patterns.hpp"

#include <fnmatch.h>

#include "util/errors.hpp"
#include "util/text.hpp"

namespace ramify {

namespace {

std::vector<std::string> parts_of(std::string_view path) { return split(path, '/'); }

// Whether pattern[i..] matches path[j..].
bool match_from(const std::vector<std::string>& pattern, std::size_t i, const std::vector<std::string>& path,
                std::size_t j) {
  if (i == pattern.size()) return j == path.size();
  if (pattern[i] == "**") {
    if (i + 1 == pattern.size()) return j < path.size();  // `a/**`: what is inside a, not a itself
    return match_from(pattern, i + 1, path, j) || (j < path.size() && match_from(pattern, i, path, j + 1));
  }
  if (j == path.size() || fnmatch(pattern[i].c_str(), path[j].c_str(), 0) != 0) return false;
  return match_from(pattern, i + 1, path, j + 1);
}

}  // namespace

PathPatterns PathPatterns::parse(const std::string& text) {
  PathPatterns out;
  for (const auto& item : split(text, ',')) {
    std::string pattern = trim(item);
    while (pattern.size() > 1 && pattern.back() == '/') pattern.pop_back();  // `derivatives/`: the folder
    if (pattern.empty()) continue;
    std::vector<std::string> parts = parts_of(pattern);
    for (const auto& part : parts)
      if (part.empty() || part == "..")
        throw ConfigError("exclude: '" + pattern + "' is not a path below the root (no leading '/', no '..', no '//')");
    if (parts.size() == 2 && parts[0] == "**" && parts[1].find_first_of("*?[\\") == std::string::npos) {
      out.names_anywhere_.insert(parts[1]);
    } else {
      out.patterns_.push_back(std::move(parts));
    }
  }
  return out;
}

bool PathPatterns::matches(std::string_view path) const {
  const auto slash = path.rfind('/');
  if (names_anywhere_.count(slash == std::string_view::npos ? path : path.substr(slash + 1))) return true;
  if (patterns_.empty()) return false;
  const std::vector<std::string> parts = parts_of(path);
  for (const auto& pattern : patterns_)
    if (match_from(pattern, 0, parts, 0)) return true;
  return false;
}

}  // namespace ramify
