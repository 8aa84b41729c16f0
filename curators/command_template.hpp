#pragma once
// A command line template, split into argv words once and expanded per task.
//
// Splitting is shell-like but no shell is ever involved:
//   - whitespace (space, tab, newline, CR, VT, FF) separates words;
//   - '...' keeps everything literal;
//   - "..." keeps whitespace; a backslash escapes only " \ $ ` and newline
//     (any other backslash stays literal, as in POSIX sh);
//   - outside quotes a backslash makes the next character literal, and
//     backslash-newline is a line continuation;
//   - adjacent quoted and unquoted parts join into one word, so '' is an empty word.
// Placeholders {name} may appear anywhere in a word, quoted or not; {{ and }}
// are literal braces, and so is a backslash-escaped brace outside quotes.
// Substitution happens after splitting: a value always stays inside its word.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ramify {

class CommandTemplate {
 public:
  // Returns the value of a placeholder, or nullopt when the name is unknown.
  using Lookup = std::function<std::optional<std::string>(std::string_view name)>;

  // Throws ConfigError for an empty template, unbalanced quotes, a trailing
  // backslash, or a malformed placeholder ('{' without '}', '{}', a lone '}').
  static CommandTemplate parse(std::string_view text);

  // Placeholder names in order of first use, without duplicates.
  std::vector<std::string> placeholders() const;

  // One argv entry per template word. Throws ConfigError("unknown placeholder
  // {name}") when lookup returns nullopt.
  std::vector<std::string> expand(const Lookup& lookup) const;

  // The text given to parse().
  const std::string& source() const { return source_; }

 private:
  struct Segment {
    bool is_placeholder = false;
    std::string text;  // literal text, or the placeholder name
  };
  using Word = std::vector<Segment>;

  std::string source_;
  std::vector<Word> words_;
};

}  // namespace ramify
