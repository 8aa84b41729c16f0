#include "cli/split_words.hpp"

#include <regex>

#include "util/errors.hpp"
#include "util/text.hpp"

namespace ramify {
namespace {

bool has_placeholder(const std::string& word) {
  static const std::regex placeholder(R"(\{[A-Za-z_][A-Za-z0-9_:.-]*\})");
  return std::regex_search(word, placeholder);
}

}  // namespace

void refuse_split_values(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag, value;
    std::size_t next = i + 1;
    for (const std::string name : {"--exec", "--set"}) {
      if (args[i] == name && i + 1 < args.size()) {
        flag = name;
        value = args[i + 1];
        next = i + 2;
      } else if (args[i].starts_with(name + "=")) {
        flag = name;
        value = args[i].substr(name.size() + 1);
      }
    }
    if (flag.empty()) continue;
    std::vector<std::string> words{value};
    for (std::size_t j = next; j < args.size() && !args[j].starts_with("--"); ++j) {
      words.push_back(args[j]);
      if (has_placeholder(args[j]))
        throw ConfigError("'" + args[j] + "' is part of the " + flag + " value '" + value +
                          "': the shell split it into words; quote the whole value: " + flag + " '" +
                          join(words, " ") + "'");
    }
  }
}

}  // namespace ramify
