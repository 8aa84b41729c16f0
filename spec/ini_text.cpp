#include "spec/ini_text.hpp"

#include <map>
#include <sstream>

#include "util/errors.hpp"
#include "util/text.hpp"

namespace ramify {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// The text before an inline comment: a `#` or `;` that follows a blank.
std::string without_comment(const std::string& text) {
  for (std::size_t i = 1; i < text.size(); ++i)
    if ((text[i] == '#' || text[i] == ';') && is_blank(text[i - 1])) return text.substr(0, i);
  return text;
}

}  // namespace

std::string ini_location(const std::string& name, std::size_t line) {
  return name + " line " + std::to_string(line);
}

std::vector<IniEntry> read_ini_text(const std::string& text, const std::string& name) {
  std::vector<IniEntry> entries;
  std::map<std::string, std::size_t> first_line;  // "section.key" -> line
  std::string section;
  std::istringstream in(text);
  std::size_t number = 0;
  for (std::string raw; std::getline(in, raw);) {
    ++number;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    const std::string line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    const std::string where = ini_location(name, number);
    if (line.front() == '[') {
      const std::string header = trim(without_comment(line));
      if (header.size() < 3 || header.back() != ']' || header.find(']') != header.size() - 1)
        throw ConfigError(where + ": not a [section] header: '" + line + "'");
      section = trim(header.substr(1, header.size() - 2));
      if (section.empty()) throw ConfigError(where + ": a [section] needs a name");
      continue;
    }
    const auto eq = line.find('=');
    const std::string key = eq == std::string::npos ? "" : trim(line.substr(0, eq));
    if (key.empty()) throw ConfigError(where + ": not a [section] nor a key = value line: '" + line + "'");
    if (section.empty()) throw ConfigError(where + ": key '" + key + "' is outside any [section]");
    const auto [first, inserted] = first_line.emplace(section + "." + key, number);
    if (!inserted)
      throw ConfigError(where + ": '" + key + "' appears twice in [" + section + "] (first on line " +
                        std::to_string(first->second) + ")");
    entries.push_back({section, key, trim(without_comment(line.substr(eq + 1))), number});
  }
  return entries;
}

}  // namespace ramify
