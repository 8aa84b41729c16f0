#include "spec/name_globs.hpp"

#include <fnmatch.h>

#include <algorithm>

#include "util/errors.hpp"
#include "util/text.hpp"

namespace ramify {

std::vector<std::string> parse_name_globs(const std::string& text, const std::string& what) {
  std::vector<std::string> globs;
  for (const auto& alternative : split(text, '|')) {
    std::string glob = trim(alternative);
    if (glob.empty() || glob.find('/') != std::string::npos)
      throw ConfigError(what + ": a pattern is a name glob, not empty and without '/'");
    globs.push_back(std::move(glob));
  }
  return globs;
}

bool matches_any_glob(const std::vector<std::string>& globs, const std::string& name) {
  return std::any_of(globs.begin(), globs.end(),
                     [&](const std::string& glob) { return fnmatch(glob.c_str(), name.c_str(), 0) == 0; });
}

}  // namespace ramify
