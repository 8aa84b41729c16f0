#pragma once
// What the fault tests share: a study tree whose commands leave marks, the
// daemons started separately or as `ramify run`, and the checks a user makes
// of a report (every row whole, one outcome per node).

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/background.hpp"
#include "support/ramify_binary.hpp"
#include "support/temp_dir.hpp"
#include "util/errors.hpp"
#include "util/json_reader.hpp"

namespace ramify::testing {

// SUBJECTS subjects of FILES files each under DIR/p; every level has a
// command, so every node's outcome is "ok" unless a fault intervenes. Each
// file's command leaves a mark in DIR/progress (one per execution).
struct FaultStudy {
  TempDir dir;
  std::string root, progress, report;
  std::size_t nodes = 0;

  FaultStudy(int subjects, int files, const std::string& report_name = "report.jsonl") {
    for (int s = 1; s <= subjects; ++s)
      for (int f = 1; f <= files; ++f) dir.write("p/sub-" + std::to_string(s) + "/f" + std::to_string(f) + ".txt", "x");
    root = (dir.path() / "p").string();
    progress = dir.mkdir("progress");
    report = (dir.path() / report_name).string();
    nodes = 1 + static_cast<std::size_t>(subjects) * (1 + static_cast<std::size_t>(files));
  }

  // Job options: a command per level; each file's command takes `seconds`.
  std::vector<std::string> job(const std::string& seconds) const {
    return {"--root", root, "--levels", "project,subject", "--exec", "project=true", "--exec", "subject=true",
            "--exec", "file=sh -c 'mktemp \"$0/p.XXXXXX\" > /dev/null; echo \"did $1\"; sleep " + seconds + "' " +
                          progress + " {id}",
            "--set", "job.heartbeat=0.2"};
  }
  std::string ipc(const std::string& name) const { return "ipc://" + dir.str() + "/" + name; }
  std::size_t marks() const { return count_files(progress); }
};

// A broker, a sink and workers started separately, as on several hosts.
struct Daemons {
  FaultStudy& study;
  std::unique_ptr<Background> broker, sink;
  std::vector<std::unique_ptr<Background>> workers;
  std::string seconds = "0.05";  // each file's command

  explicit Daemons(FaultStudy& s) : study(s) {}

  void start_broker(const std::string& name, std::vector<std::string> extra = {}) {
    auto args = study.job(seconds);
    args.insert(args.begin(), {"broker", "--bind", study.ipc("broker")});
    args.insert(args.end(), extra.begin(), extra.end());
    broker = std::make_unique<Background>(study.dir.str(), name, args);
  }
  void start_sink(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"sink", "--bind", study.ipc("sink"), "--broker", study.ipc("broker"),
                                  "--report", study.report, "-q"};
    args.insert(args.end(), extra.begin(), extra.end());
    sink = std::make_unique<Background>(study.dir.str(), "sink", args);
  }
  void start_worker(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"worker", "--broker", study.ipc("broker"), "--sink", study.ipc("sink"),
                                  "--concurrency", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    workers.push_back(
        std::make_unique<Background>(study.dir.str(), "worker" + std::to_string(workers.size()), args));
  }
};

// Every line of a JSON Lines report, parsed; a line that does not parse fails the test.
inline std::vector<JsonValue> whole_rows(const std::string& path) {
  std::vector<JsonValue> rows;
  std::ifstream in(path, std::ios::binary);
  std::size_t number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    try {
      rows.push_back(parse_json(line));
    } catch (const DecodeError& e) {
      ADD_FAILURE() << path << " line " << number << " is not a whole row: " << e.what();
    }
  }
  return rows;
}

// Outcome rows by node id (the count of each).
inline std::map<std::string, int> outcome_counts(const std::vector<JsonValue>& rows) {
  std::map<std::string, int> seen;
  for (const auto& row : rows)
    if (row.get("kind") == "outcome") ++seen[row.get("container_id")];
  return seen;
}

// Checks the report holds exactly one ok outcome per node of the study.
inline void expect_complete_report(const FaultStudy& study) {
  const auto rows = whole_rows(study.report);
  const auto seen = outcome_counts(rows);
  EXPECT_EQ(seen.size(), study.nodes);
  for (const auto& [id, count] : seen) EXPECT_EQ(count, 1) << id;
  for (const auto& row : rows) {
    if (row.get("kind") != "outcome") continue;
    EXPECT_EQ(row.get("status"), "ok") << row.get("container_id") << ": " << row.get("msg") << row.get("err");
  }
}

// A live process of this machine: its pid and command line (words joined by spaces).
struct ProcessInfo {
  pid_t pid = 0;
  std::string command;
};

// The live (not zombie) children of `parent`.
inline std::vector<ProcessInfo> children_of(pid_t parent) {
  std::vector<ProcessInfo> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(line.substr(close + 2));
    std::string state;
    pid_t ppid = 0;
    fields >> state >> ppid;
    if (ppid != parent || state == "Z") continue;
    std::ifstream cmdline(entry.path() / "cmdline", std::ios::binary);
    std::string command((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    for (char& c : command) c = c == '\0' ? ' ' : c;
    children.push_back(ProcessInfo{std::stoi(name), command});
  }
  return children;
}

// Whether a process is gone (or a zombie nobody reaped yet).
inline bool gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const auto close = line.rfind(')');
  return close != std::string::npos && line.size() > close + 2 && line[close + 2] == 'Z';
}

// The size of a file (0 when it is not there).
inline std::uintmax_t file_size(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

// The last non-empty line of a text.
inline std::string last_line(const std::string& text) {
  auto end = text.find_last_not_of('\n');
  if (end == std::string::npos) return "";
  auto start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

}  // namespace ramify::testing
