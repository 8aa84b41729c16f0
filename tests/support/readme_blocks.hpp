#pragma once
// The fenced code blocks of the README, so that tests run its examples as written.

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace ramify::testing {

struct CodeBlock {
  std::size_t line = 0;  // of the opening fence, 1-based
  std::string text;
};

inline std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every block opened by "```LANGUAGE" (e.g. "ini") in `markdown`.
inline std::vector<CodeBlock> code_blocks(const std::string& markdown, const std::string& language) {
  std::vector<CodeBlock> blocks;
  std::istringstream in(markdown);
  std::size_t number = 0;
  CodeBlock* open = nullptr;
  bool in_other = false;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.starts_with("```")) {
      if (open) {
        open = nullptr;
      } else if (in_other) {
        in_other = false;
      } else if (line == "```" + language) {
        blocks.push_back({number, ""});
        open = &blocks.back();
      } else {
        in_other = true;
      }
      continue;
    }
    if (open) open->text += line + "\n";
  }
  return blocks;
}

// The one block of `language` whose text contains `marker`, or "".
inline std::string code_block_with(const std::string& markdown, const std::string& language, const std::string& marker) {
  for (const auto& block : code_blocks(markdown, language))
    if (block.text.find(marker) != std::string::npos) return block.text;
  return "";
}

}  // namespace ramify::testing
