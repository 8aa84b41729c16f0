#pragma once
// Globs matched against a node's path relative to the root, as `[job]
// exclude` gives them: `derivatives` (that folder), `sourcedata/**`
// (everything below sourcedata), `**/.git` (a .git at any depth). A pattern
// is anchored at the root; `**` spans any number of folders (none too,
// except at the end: `a/**` is what is inside a); any other part is an
// fnmatch glob for one name (`*` matches dot names too).

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ramify {

class PathPatterns {
 public:
  PathPatterns() = default;
  // Comma-separated; blanks ignored. Throws ConfigError for an absolute
  // pattern or one with an empty or `..` part.
  static PathPatterns parse(const std::string& text);

  bool empty() const { return patterns_.empty() && names_anywhere_.empty(); }
  // `path`: relative to the root, '/'-separated ("sub-01/anat").
  bool matches(std::string_view path) const;

 private:
  std::vector<std::vector<std::string>> patterns_;  // each split at '/'
  std::set<std::string, std::less<>> names_anywhere_;  // `**/NAME` without glob characters: a lookup per node
};

}  // namespace ramify
