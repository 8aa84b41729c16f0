#pragma once
// What the fault tests share: a study tree whose commands leave marks, the
// daemons started separately or as `ramify run`, and the checks a user makes
// of a report (every row whole, one outcome per node).

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/errors.hpp"
#include "common/json_reader.hpp"
#include "support/background.hpp"
#include "support/ramify_binary.hpp"
#include "support/temp_dir.hpp"

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
    if (row.get("kind") == "outcome") {
      EXPECT_EQ(row.get("status"), "ok") << row.get("container_id") << ": " << row.get("msg") << row.get("err");
    }
  }
}

// The last non-empty line of a text.
inline std::string last_line(const std::string& text) {
  auto end = text.find_last_not_of('\n');
  if (end == std::string::npos) return "";
  auto start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

}  // namespace ramify::testing
