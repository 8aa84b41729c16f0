#pragma once
// Runs the real ramify binary from a test, with a deadline, and reads its report.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "curators/process_runner.hpp"
#include "util/json_reader.hpp"

namespace ramify::testing {

// Bounds on how fast processes react are stretched in sanitizer builds.
#ifdef RAMIFY_SANITIZED
inline constexpr int kSlowdown = 4;
#else
inline constexpr int kSlowdown = 1;
#endif

struct CommandResult {
  int exit_code = -1;
  bool timed_out = false;
  std::string out;
  std::string err;
  std::vector<std::string> err_lines;
  std::chrono::steady_clock::time_point ended;
};

// The binary under test (set by CMake).
inline std::string ramify_binary() { return RAMIFY_BINARY; }

// Runs `ramify args...` with `env` added, in `tmpdir` (its current folder,
// where a report without --report goes); its temporary folders go there too.
inline CommandResult run_ramify(const std::vector<std::string>& args, const std::string& tmpdir,
                                std::chrono::seconds timeout = std::chrono::seconds(60),
                                std::vector<std::string> env = {}) {
  ProcessOptions options;
  options.argv.push_back(ramify_binary());
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.working_dir = tmpdir;
  options.timeout = timeout;
  options.extra_env = std::move(env);
  options.extra_env.push_back("TMPDIR=" + tmpdir);
  CommandResult result;
  ProcessResult process = run_process(options, [&](bool is_stderr, std::string_view line) {
    if (is_stderr) {
      result.err += std::string(line) + "\n";
      result.err_lines.emplace_back(line);
    } else {
      result.out += std::string(line) + "\n";
    }
  });
  result.ended = std::chrono::steady_clock::now();
  result.timed_out = process.end == ProcessResult::End::timed_out;
  result.exit_code = process.end == ProcessResult::End::exited ? process.exit_code : -1;
  return result;
}

inline std::vector<JsonValue> read_report(const std::string& path) {
  std::vector<JsonValue> rows;
  std::ifstream in(path, std::ios::binary);
  for (std::string line; std::getline(in, line);) rows.push_back(parse_json(line));
  return rows;
}

// A row's structured result `key` (under "results"), or null.
inline const JsonValue* result(const JsonValue& row, const char* key) {
  const JsonValue* results = row.find("results");
  return results ? results->find(key) : nullptr;
}

inline std::vector<JsonValue> outcomes(const std::vector<JsonValue>& rows) {
  std::vector<JsonValue> out;
  for (const auto& row : rows)
    if (row.get("kind") == "outcome") out.push_back(row);
  return out;
}

// Pids of live processes whose environment or command line mentions `marker`.
inline std::vector<int> processes_mentioning(const std::string& marker) {
  std::vector<int> pids;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string status;
    {
      std::ifstream in(entry.path() / "stat");
      std::getline(in, status);
    }
    auto close_paren = status.rfind(')');
    if (close_paren != std::string::npos && status.size() > close_paren + 2 && status[close_paren + 2] == 'Z') continue;
    for (const char* file : {"environ", "cmdline"}) {
      std::ifstream in(entry.path() / file, std::ios::binary);
      std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (content.find(marker) != std::string::npos) {
        pids.push_back(std::stoi(name));
        break;
      }
    }
  }
  return pids;
}

// The pid of a `ramify worker` process that is running one of the test's
// commands right now (a command's parent whose command line says "worker").
inline pid_t busy_worker(const std::string& marker) {
  for (int pid : processes_mentioning(marker)) {
    std::ifstream environ_file("/proc/" + std::to_string(pid) + "/environ");
    std::string env((std::istreambuf_iterator<char>(environ_file)), std::istreambuf_iterator<char>());
    if (env.find("RAMIFY_ID=") == std::string::npos) continue;  // not a command
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    const auto close_paren = line.rfind(')');
    if (close_paren == std::string::npos || line.size() < close_paren + 2) continue;  // it has just ended
    std::istringstream fields(line.substr(close_paren + 2));
    std::string state;
    pid_t parent = 0;
    fields >> state >> parent;
    std::ifstream cmdline("/proc/" + std::to_string(parent) + "/cmdline");
    std::string command((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    if (command.find(std::string("worker") + '\0') != std::string::npos) return parent;
  }
  return 0;
}

}  // namespace ramify::testing
