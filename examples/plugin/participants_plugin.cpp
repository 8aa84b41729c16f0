// An example curator plugin: the participants table of a BIDS-style dataset.
//
// Built against include/ramify/curator.hpp only. Use it with a job whose
// partition level is the subject level, so that every subject is the root of
// its own assignment (finalize_run sees the fields recorded on roots only):
//
//   [job]     curator = plugin
//             plugin = /path/to/libramify_participants.so
//   [curator] participants_tsv = /data/out/participants.tsv   ; optional: without it, one log line per subject
//             subject_level = subject                         ; optional (default "subject")
//             session_level = session                         ; optional (default "session")
//
// On each subject node, curate() records `participant_id` (the node's label)
// and `sessions` (how many of its children are sessions). At the end of the
// run, finalize_run() writes participants.tsv on the broker: a header
// "participant_id<TAB>sessions" and one row per subject, sorted by id.

#include <algorithm>
#include <cstddef>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ramify/curator.hpp"

namespace {

// The value of `key` in `options`, or `fallback`.
std::string option_or(const ramify::CuratorOptions& options, const std::string& key, const std::string& fallback) {
  auto it = options.find(key);
  return it == options.end() ? fallback : it->second;
}

// A TSV cell: tabs and line breaks would break the table.
std::string tsv_cell(std::string text) {
  for (char& c : text)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return text;
}

class ParticipantsCurator : public ramify::Curator {
 public:
  explicit ParticipantsCurator(const ramify::CuratorOptions& options)
      : subject_level_(option_or(options, "subject_level", "subject")),
        session_level_(option_or(options, "session_level", "session")) {
    if (subject_level_.empty()) throw std::invalid_argument("participants: subject_level must not be empty");
    if (session_level_.empty()) throw std::invalid_argument("participants: session_level must not be empty");
  }

  // Subjects get their fields; every other node has nothing to do and stays ok.
  void curate(const ramify::Node& node, ramify::Context& ctx) override {
    if (node.level != subject_level_) return;
    auto is_session = [this](const ramify::Node& child) { return child.level == session_level_; };
    const auto sessions = std::count_if(ctx.children().begin(), ctx.children().end(), is_session);
    ctx.record("participant_id", node.label);
    ctx.record("sessions", sessions);  // a number in the report
  }

  void finalize_run(const std::vector<ramify::AssignmentResult>& results, ramify::Context& ctx) override {
    std::vector<Row> rows;
    for (const auto& result : results)
      if (!result.shallow && result.root.level == subject_level_) rows.push_back(row_of(result));
    if (rows.empty() && !results.empty())
      ctx.warn("participants: no assignment is a subject; set the job's partition level to '" + subject_level_ + "'");
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.participant_id < b.participant_id; });

    const std::string path = ctx.option("participants_tsv");
    if (path.empty()) {
      for (const auto& row : rows) ctx.info(row.participant_id + ": " + row.sessions + " session(s)");
      return;
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << "participant_id\tsessions\n";
    for (const auto& row : rows) out << tsv_cell(row.participant_id) << '\t' << tsv_cell(row.sessions) << '\n';
    out.close();
    if (!out) {
      ctx.fail("participants: cannot write " + path);
      return;
    }
    ctx.info("wrote " + std::to_string(rows.size()) + " participant(s) to " + path);
  }

 private:
  struct Row {
    std::string participant_id;
    std::string sessions;
  };

  // A subject whose fields are missing (its curation failed) still gets a row: "n/a" as BIDS writes it.
  static Row row_of(const ramify::AssignmentResult& result) {
    Row row{result.root.label, "n/a"};
    for (const auto& [key, value] : result.fields) {
      if (key == "participant_id") row.participant_id = value;
      if (key == "sessions") row.sessions = value;
    }
    return row;
  }

  std::string subject_level_;
  std::string session_level_;
};

}  // namespace

RAMIFY_CURATOR_PLUGIN(ParticipantsCurator)
