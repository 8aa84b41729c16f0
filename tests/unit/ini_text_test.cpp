// The INI rules of a job spec: comments, inline comments, line numbers.

#include <gtest/gtest.h>

#include "curators/command_template.hpp"
#include "spec/ini_text.hpp"
#include "util/errors.hpp"

namespace ramify {
namespace {

std::string error_of(const std::string& text) {
  try {
    read_ini_text(text, "job.ini");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::vector<std::string> values(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& entry : read_ini_text(text, "job.ini")) out.push_back(entry.value);
  return out;
}

TEST(IniText, AValueEndsAtASemicolonOrHashAfterABlank) {
  const auto entries = read_ini_text(
      "[validate]\n"
      "subject = ^sub-[A-Za-z0-9]+$                  ; a label must fully match\n"
      "fail_on_violation = false\t# true: findings fail their node\n",
      "job.ini");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].section, "validate");
  EXPECT_EQ(entries[0].key, "subject");
  EXPECT_EQ(entries[0].value, "^sub-[A-Za-z0-9]+$");
  EXPECT_EQ(entries[0].line, 2u);
  EXPECT_EQ(entries[1].value, "false");
  EXPECT_EQ(entries[1].line, 3u);
}

TEST(IniText, ASemicolonOrHashNotAfterABlankIsPartOfTheValue) {
  EXPECT_EQ(values("[exec]\n"
                   "file = echo a#b x;y\n"
                   "folder = echo \\#1 \\; done\n"
                   "session = sh -c 'a; b' sh\n"),
            (std::vector<std::string>{"echo a#b x;y", "echo \\#1 \\; done", "sh -c 'a; b' sh"}));
  // Right after '=' there is no blank: the value starts with it.
  EXPECT_EQ(values("[exec]\nfile =#tag\n"), std::vector<std::string>{"#tag"});
  // After a blank, even inside quotes: the command is cut there.
  EXPECT_EQ(values("[exec]\nfile = sh -c 'echo a # b'\n"), std::vector<std::string>{"sh -c 'echo a"});
  EXPECT_EQ(values("[exec]\nfile = ; nothing but a comment\n"), std::vector<std::string>{""});
}

// The README's way to put " #" in an exec command written in a file.
TEST(IniText, ABackslashedHashReachesTheCommandAsAHash) {
  const auto entries = read_ini_text("[exec]\nfile = grep -c \\# {path}   ; count comment lines\n", "job.ini");
  ASSERT_EQ(entries.size(), 1u);
  auto path = [](std::string_view) -> std::optional<std::string> { return "f.txt"; };
  const auto argv = CommandTemplate::parse(entries[0].value).expand(path);
  EXPECT_EQ(argv, (std::vector<std::string>{"grep", "-c", "#", "f.txt"}));
}

TEST(IniText, CommentLinesBlankLinesAndCommentsAfterAHeader) {
  const auto entries = read_ini_text(
      "# a job\n"
      "; also a comment\n"
      "\n"
      "   [job]   ; the main section\n"
      "root = /data\r\n"
      "[exec] # commands\n"
      "  file   =   sha256sum {path}  \n",
      "job.ini");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].section, "job");
  EXPECT_EQ(entries[0].value, "/data");
  EXPECT_EQ(entries[1].section, "exec");
  EXPECT_EQ(entries[1].key, "file");
  EXPECT_EQ(entries[1].value, "sha256sum {path}");
  EXPECT_EQ(entries[1].line, 7u);
}

TEST(IniText, BadLinesAreNamedWithTheirNumber) {
  EXPECT_EQ(error_of("[job]\nroot = /a\nthis line has no equals sign\n"),
            "job.ini line 3: not a [section] nor a key = value line: 'this line has no equals sign'");
  EXPECT_EQ(error_of("root = /a\n"), "job.ini line 1: key 'root' is outside any [section]");
  EXPECT_EQ(error_of("[job]\nroot = /a\n\nroot = /b\n"), "job.ini line 4: 'root' appears twice in [job] (first on line 2)");
  EXPECT_EQ(error_of("[job\nroot = /a\n"), "job.ini line 1: not a [section] header: '[job'");
  EXPECT_EQ(error_of("[ ]\n"), "job.ini line 1: a [section] needs a name");
  EXPECT_EQ(error_of("[job]\n= value\n"), "job.ini line 2: not a [section] nor a key = value line: '= value'");
}

TEST(IniText, ASectionMayComeBackButAKeyIsSetOnce) {
  const auto entries = read_ini_text("[job]\nroot = /a\n[exec]\nfile = x\n[job]\nlevels = a,b\n", "job.ini");
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[2].section, "job");
  EXPECT_EQ(entries[2].key, "levels");
}

}  // namespace
}  // namespace ramify
