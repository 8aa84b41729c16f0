// One process owns the terminal: under `ramify run` the progress line is
// redrawn below the log lines, never inside them (it used to be glued into
// them: "ETA 0:0611:59:45.768 info ...", two processes writing to one terminal).

#include <gtest/gtest.h>

#include <regex>

#include "support/pseudo_terminal.hpp"
#include "support/small_tree.hpp"
#include "support/temp_dir.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

TEST(Terminal, TheProgressLineIsRedrawnBelowTheLogLinesNeverInsideThem) {
  TempDir dir;
  const std::string root = testing::make_tree(dir, 4, 10);
  // Every file logs a line while the progress line is up (it is drawn every 0.2 s).
  auto result = testing::run_on_terminal({"run", "--root", root, "--levels", "project,subject", "--exec",
                                          "file=sh -c 'echo \"logged $1\"; sleep 0.05' sh {label}", "--workers", "2",
                                          "--concurrency", "1", "--report", dir.str() + "/r.jsonl"},
                                         dir.str(), 60s);
  ASSERT_EQ(result.exit_code, 0) << result.bytes;

  const std::vector<std::string> lines = testing::screen_lines(result.bytes);
  const std::regex log_line(R"(^\d\d:\d\d:\d\d\.\d\d\d info    sub-\d+/f\d+\.txt: logged f\d+\.txt$)");
  std::size_t logged = 0, progress_lines = 0;
  for (const std::string& line : lines) {
    if (line.find("logged") != std::string::npos) {
      ++logged;
      EXPECT_TRUE(std::regex_match(line, log_line)) << "a log line with something else in it: " << line;
    }
    if (line.find("progress:") != std::string::npos) {
      ++progress_lines;
      EXPECT_EQ(line.rfind("progress: assignments 5/5 done", 0), 0u) << "progress inside a line: " << line;
    }
  }
  EXPECT_EQ(logged, 40u);
  EXPECT_EQ(progress_lines, 1u);  // the last one stays on the screen; the others were redrawn in place

  // The line was drawn while the log lines came, so the test saw what it tests.
  const std::size_t first_redraw = result.bytes.find("\r\033[Kprogress: ");
  ASSERT_NE(first_redraw, std::string::npos) << result.bytes;
  EXPECT_LT(first_redraw, result.bytes.rfind("logged f"));
  // The summary follows the last progress line, whole.
  EXPECT_NE(std::find_if(lines.begin(), lines.end(),
                         [](const std::string& l) { return l.rfind("ramify run ", 0) == 0 && l.ends_with(": ok"); }),
            lines.end())
      << result.bytes;
}

}  // namespace
}  // namespace ramify
