#pragma once
// Runs a shell command line the test builds (never one from a user), with a deadline.

#include <chrono>
#include <string>

#include "curators/process_runner.hpp"

namespace ramify::testing {

struct ShellResult {
  bool ok = false;   // exited with status 0
  std::string out;   // standard output, a "\n" after each line
  std::string err;   // standard error, likewise
};

// `sh -c COMMAND`, 60 s at most.
inline ShellResult shell_run(const std::string& command) {
  ShellResult result;
  ProcessOptions options;
  options.argv = {"sh", "-c", command};
  options.timeout = std::chrono::seconds(60);
  ProcessResult ended = run_process(options, [&](bool is_stderr, std::string_view line) {
    (is_stderr ? result.err : result.out) += std::string(line) + "\n";
  });
  result.ok = ended.end == ProcessResult::End::exited && ended.exit_code == 0;
  return result;
}

// The standard output of `sh -c COMMAND`.
inline std::string shell(const std::string& command) { return shell_run(command).out; }

// A path as one shell word (the tests' own paths hold no single quote).
inline std::string sh_quote(const std::string& path) { return "'" + path + "'"; }

}  // namespace ramify::testing
