#pragma once
// Reads the INI text of a job spec into (section, key, value, line) entries.
//
// The rules, as the README states them:
//   - a line whose first non-blank character is `#` or `;` is a comment;
//   - `[name]` starts a section (a comment may follow it);
//   - `key = value`: the key and the value are trimmed, and the value ends at
//     a `#` or `;` that follows a blank (space or tab): an inline comment.
//     A `#` or `;` anywhere else (`a#b`, `x;y`, `\#`) is part of the value.
// Throws ConfigError "NAME line N: ..." for a line that is none of these, a
// key outside any section, or a key given twice in one section.

#include <cstddef>
#include <string>
#include <vector>

namespace ramify {

struct IniEntry {
  std::string section;
  std::string key;
  std::string value;
  std::size_t line = 0;  // 1-based
};

std::vector<IniEntry> read_ini_text(const std::string& text, const std::string& name);

// "NAME line N", the prefix of every message about that line.
std::string ini_location(const std::string& name, std::size_t line);

}  // namespace ramify
