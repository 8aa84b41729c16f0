#include "curators/command_template.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "util/errors.hpp"

namespace ramify {
namespace {

using Args = std::vector<std::string>;

// Expands with a fixed name -> value map; unknown names yield nullopt.
Args expand(std::string_view text, const std::map<std::string, std::string, std::less<>>& values = {}) {
  return CommandTemplate::parse(text).expand([&](std::string_view name) -> std::optional<std::string> {
    auto found = values.find(name);
    if (found == values.end()) return std::nullopt;
    return found->second;
  });
}

// The ConfigError message parse() throws, or "" when it does not throw.
std::string parse_error(std::string_view text) {
  try {
    CommandTemplate::parse(text);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

TEST(CommandTemplate, SplitsOnWhitespace) {
  EXPECT_EQ(expand("  echo  a\tb\nc\r\n"), (Args{"echo", "a", "b", "c"}));
}

TEST(CommandTemplate, SingleQuotesKeepEverythingLiteral) {
  EXPECT_EQ(expand(R"(echo 'a  b "c" \n $x `y`')"), (Args{"echo", R"(a  b "c" \n $x `y`)"}));
}

TEST(CommandTemplate, DoubleQuotesKeepWhitespaceAndAllowEscapes) {
  EXPECT_EQ(expand(R"(echo "a  \"b\" \\ \$ \` \n 'c'")"), (Args{"echo", R"(a  "b" \ $ ` \n 'c')"}));
}

TEST(CommandTemplate, BackslashOutsideQuotesEscapesNextChar) {
  EXPECT_EQ(expand(R"(a\ b \'c \"d \\ \x)"), (Args{"a b", "'c", "\"d", "\\", "x"}));
}

TEST(CommandTemplate, BackslashNewlineContinuesLine) {
  EXPECT_EQ(expand("cmd \\\n  arg \\\narg2"), (Args{"cmd", "arg", "arg2"}));
}

TEST(CommandTemplate, AdjacentPartsJoinIntoOneWord) {
  EXPECT_EQ(expand(R"(--x='a b'"c d"e)"), (Args{"--x=a bc de"}));
}

TEST(CommandTemplate, EmptyQuotesMakeEmptyWords) {
  EXPECT_EQ(expand(R"(cmd '' "" x)"), (Args{"cmd", "", "", "x"}));
}

TEST(CommandTemplate, DoubledBracesAreLiteral) {
  EXPECT_EQ(expand("awk '{{print $1}}' {path} }}{{", {{"path", "/p"}}),
            (Args{"awk", "{print $1}", "/p", "}{"}));
  EXPECT_TRUE(CommandTemplate::parse("awk '{{print $1}}'").placeholders().empty());
}

TEST(CommandTemplate, EscapedBraceOutsideQuotesIsLiteral) {
  EXPECT_EQ(expand(R"(\{path\})"), (Args{"{path}"}));
}

TEST(CommandTemplate, ReplacesPlaceholderInsideWord) {
  EXPECT_EQ(expand("tool --in={path} --tag={id}-{level}x", {{"path", "/a b"}, {"id", "7"}, {"level", "2"}}),
            (Args{"tool", "--in=/a b", "--tag=7-2x"}));
}

TEST(CommandTemplate, KeepsValueWithSpacesAsOneWord) {
  EXPECT_EQ(expand("cat {path}", {{"path", "my file  name.txt"}}), (Args{"cat", "my file  name.txt"}));
}

TEST(CommandTemplate, QuotedPlaceholderBehavesLikeUnquoted) {
  const std::string value = "it's a \"b\" c";
  EXPECT_EQ(expand(R"(cmd {v} "{v}" '{v}')", {{"v", value}}), (Args{"cmd", value, value, value}));
}

TEST(CommandTemplate, HostileValuesStayIntact) {
  const std::vector<std::string> hostile = {
      "; rm -rf ~", "$(x)", "`x`", "a\nb", "-rf", "--help", std::string("\xff\xfe", 2), "'\"\\", "", "{id}", "* ?"};
  for (const std::string& value : hostile) {
    EXPECT_EQ(expand("tool {label} --x={label}", {{"label", value}}), (Args{"tool", value, "--x=" + value}))
        << "value: " << value;
  }
}

TEST(CommandTemplate, EmptyValueKeepsItsWord) {
  EXPECT_EQ(expand("cmd {parent} end", {{"parent", ""}}), (Args{"cmd", "", "end"}));
}

TEST(CommandTemplate, ListsPlaceholdersInOrderWithoutDuplicates) {
  const auto command = CommandTemplate::parse("run {path} --id={id} '{label}' {path} {input:refs} {parent}{level}");
  EXPECT_EQ(command.placeholders(), (Args{"path", "id", "label", "input:refs", "parent", "level"}));
}

TEST(CommandTemplate, AllowsUnknownNamesAtParse) {
  const auto command = CommandTemplate::parse("run {whatever:x.y-z}");
  EXPECT_EQ(command.placeholders(), (Args{"whatever:x.y-z"}));
  EXPECT_EQ(command.source(), "run {whatever:x.y-z}");
}

TEST(CommandTemplate, ExpandThrowsForUnknownPlaceholder) {
  try {
    expand("run {path} {nope}", {{"path", "/p"}});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_STREQ(error.what(), "unknown placeholder {nope}");
  }
}

TEST(CommandTemplate, LooksUpEachPlaceholderByName) {
  std::vector<std::string> asked;
  CommandTemplate::parse("a {x} {y}{x}").expand([&](std::string_view name) -> std::optional<std::string> {
    asked.emplace_back(name);
    return "v";
  });
  EXPECT_EQ(asked, (Args{"x", "y", "x"}));
}

TEST(CommandTemplate, RejectsEmptyTemplate) {
  EXPECT_NE(parse_error("").find("empty command"), std::string::npos);
  EXPECT_NE(parse_error(" \t\n").find("empty command"), std::string::npos);
  EXPECT_NE(parse_error("\\\n").find("empty command"), std::string::npos);
}

TEST(CommandTemplate, RejectsUnbalancedQuotes) {
  EXPECT_EQ(parse_error("echo 'abc"), "command template: unbalanced single quote opened at character 6");
  EXPECT_EQ(parse_error("echo \"abc\\\""), "command template: unbalanced double quote opened at character 6");
  EXPECT_NE(parse_error("echo 'a'b'").find("unbalanced single quote"), std::string::npos);
}

TEST(CommandTemplate, RejectsTrailingBackslash) {
  EXPECT_NE(parse_error("echo a\\").find("trailing backslash"), std::string::npos);
}

TEST(CommandTemplate, RejectsMalformedPlaceholders) {
  EXPECT_NE(parse_error("run {path").find("unterminated placeholder"), std::string::npos);
  EXPECT_NE(parse_error("run {pa th}").find("unterminated placeholder"), std::string::npos);
  EXPECT_NE(parse_error("run '{pa'th}").find("unterminated placeholder"), std::string::npos);
  EXPECT_NE(parse_error("run {}").find("empty placeholder"), std::string::npos);
  EXPECT_NE(parse_error("run a}b").find("unmatched '}'"), std::string::npos);
  EXPECT_NE(parse_error("run {a{b}}").find("unterminated placeholder"), std::string::npos);
}

}  // namespace
}  // namespace ramify
