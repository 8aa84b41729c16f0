#include "curators/command_template.hpp"

#include <algorithm>
#include <cstddef>

#include "util/errors.hpp"

namespace ramify {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Characters that cannot be part of a placeholder name.
bool ends_placeholder_name(char c) {
  return is_space(c) || c == '\'' || c == '"' || c == '\\' || c == '{';
}

// Characters a backslash escapes inside double quotes (POSIX sh).
bool escapable_in_double_quotes(char c) {
  return c == '"' || c == '\\' || c == '$' || c == '`' || c == '\n';
}

[[noreturn]] void fail(std::string_view what, std::size_t offset) {
  throw ConfigError("command template: " + std::string(what) + " at character " +
                    std::to_string(offset + 1));
}

}  // namespace

CommandTemplate CommandTemplate::parse(std::string_view text) {
  enum class Quote { none, single, double_ };

  CommandTemplate result;
  result.source_ = std::string(text);

  Word word;
  std::string literal;
  bool in_word = false;  // true once anything (even '') started the current word
  Quote quote = Quote::none;
  std::size_t quote_start = 0;

  auto flush_literal = [&] {
    if (literal.empty()) return;
    word.push_back(Segment{false, std::move(literal)});
    literal.clear();
  };
  auto end_word = [&] {
    if (!in_word) return;
    flush_literal();
    result.words_.push_back(std::move(word));
    word.clear();
    in_word = false;
  };
  // Handles '{' or '}' at i (any quoting); returns the index after it.
  auto take_brace = [&](std::size_t i) -> std::size_t {
    in_word = true;
    const bool doubled = i + 1 < text.size() && text[i + 1] == text[i];
    if (doubled) {
      literal += text[i];
      return i + 2;
    }
    if (text[i] == '}') fail("unmatched '}' (write '}}' for a literal brace)", i);
    std::size_t close = i + 1;
    while (close < text.size() && text[close] != '}' && !ends_placeholder_name(text[close])) ++close;
    if (close == text.size() || text[close] != '}')
      fail("unterminated placeholder (write '{{' for a literal brace)", i);
    if (close == i + 1) fail("empty placeholder '{}' (write '{{}}' for literal braces)", i);
    flush_literal();
    word.push_back(Segment{true, std::string(text.substr(i + 1, close - i - 1))});
    return close + 1;
  };

  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '{' || c == '}') {
      i = take_brace(i);
      continue;
    }
    switch (quote) {
      case Quote::none:
        if (is_space(c)) {
          end_word();
          ++i;
        } else if (c == '\\') {
          if (i + 1 == text.size()) fail("trailing backslash", i);
          if (text[i + 1] != '\n') {  // backslash-newline: line continuation
            in_word = true;
            literal += text[i + 1];
          }
          i += 2;
        } else if (c == '\'' || c == '"') {
          quote = c == '\'' ? Quote::single : Quote::double_;
          quote_start = i;
          in_word = true;
          ++i;
        } else {
          in_word = true;
          literal += c;
          ++i;
        }
        break;
      case Quote::single:
        if (c == '\'') {
          quote = Quote::none;
        } else {
          literal += c;
        }
        ++i;
        break;
      case Quote::double_:
        if (c == '"') {
          quote = Quote::none;
          ++i;
        } else if (c == '\\' && i + 1 < text.size() && escapable_in_double_quotes(text[i + 1])) {
          if (text[i + 1] != '\n') literal += text[i + 1];
          i += 2;
        } else {
          literal += c;
          ++i;
        }
        break;
    }
  }
  if (quote == Quote::single) fail("unbalanced single quote opened", quote_start);
  if (quote == Quote::double_) fail("unbalanced double quote opened", quote_start);
  end_word();
  if (result.words_.empty()) throw ConfigError("command template: empty command");
  return result;
}

std::vector<std::string> CommandTemplate::placeholders() const {
  std::vector<std::string> names;
  for (const Word& word : words_) {
    for (const Segment& segment : word) {
      if (segment.is_placeholder &&
          std::find(names.begin(), names.end(), segment.text) == names.end()) {
        names.push_back(segment.text);
      }
    }
  }
  return names;
}

std::vector<std::string> CommandTemplate::expand(const Lookup& lookup) const {
  std::vector<std::string> argv;
  argv.reserve(words_.size());
  for (const Word& word : words_) {
    std::string arg;
    for (const Segment& segment : word) {
      if (!segment.is_placeholder) {
        arg += segment.text;
        continue;
      }
      std::optional<std::string> value = lookup(segment.text);
      if (!value) throw ConfigError("unknown placeholder {" + segment.text + "}");
      arg += *value;
    }
    argv.push_back(std::move(arg));
  }
  return argv;
}

}  // namespace ramify
