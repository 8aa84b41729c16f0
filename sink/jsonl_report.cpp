#include "sink/jsonl_report.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include "sink/report_replacement.hpp"
#include "util/errors.hpp"

namespace ramify {

JsonlReport::JsonlReport(std::string path, ExistingReport existing, const ExistingRowHandler& on_existing_row)
    : path_(std::move(path)), file_(LockedFile::open_report(path_, existing == ExistingReport::refuse)), writer_(path_) {
  std::uint64_t complete_bytes = 0;
  std::uint64_t rows = 0;
  if (existing == ExistingReport::append) {
    std::ifstream in(path_, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
      if (in.eof()) break;  // no newline: a row cut short by a crash
      complete_bytes += line.size() + 1;
      ++rows;
      try {
        if (on_existing_row) on_existing_row(report_row_from_json(parse_json(line)));
      } catch (const DecodeError& e) {
        throw ConfigError("report " + path_ + " cannot be continued: " + e.what());
      }
    }
    if (in.bad()) throw ConfigError("cannot continue report " + path_ + ": it cannot be read");
  }
  // Only now that the file is locked: the row cut short (--append) or the old
  // report (--force) goes.
  if (::ftruncate(file_.fd(), static_cast<off_t>(complete_bytes)) != 0)
    throw ConfigError(std::string("cannot ") + (existing == ExistingReport::append ? "continue" : "replace") +
                      " report " + path_ + ": " + std::strerror(errno));
  writer_.attach(file_.fd(), complete_bytes, rows);
}

void JsonlReport::read(const std::string& path, const ExistingRowHandler& each) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("cannot read report " + path + ": " + std::strerror(errno));
  std::string line;
  std::uint64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (in.eof()) break;  // no newline: a row cut short (a sink writing it, or a crash)
    try {
      each(report_row_from_json(parse_json(line)));
    } catch (const DecodeError& e) {
      throw ConfigError("report " + path + ", line " + std::to_string(number) + ": " + e.what());
    }
  }
  if (in.bad()) throw ConfigError("cannot read report " + path + ": " + std::strerror(errno));
}

JsonlReport::~JsonlReport() {
  try {
    writer_.flush();
  } catch (const WriteError&) {
    // the file holds whole rows; finish() is where a caller hears of it
  }
}

void JsonlReport::write(const ReportRow& row) {
  line_.clear();  // reused: its storage stays
  append_report_row_json(line_, row);
  line_ += '\n';
  writer_.append_row(line_);
}

void JsonlReport::flush() { writer_.flush(); }

void JsonlReport::finish() { writer_.sync(); }

std::uint64_t JsonlReport::drop_outcomes(const std::vector<AssignmentRef>& attempts) {
  if (attempts.empty()) return 0;
  writer_.flush();
  std::set<std::pair<std::uint64_t, std::uint64_t>> drop;
  for (const auto& a : attempts) drop.emplace(a.id, a.attempt);

  ReportReplacement next(file_);
  std::ifstream in(path_, std::ios::binary);
  std::uint64_t removed = 0;
  std::string line;
  while (std::getline(in, line)) {
    bool keep = true;
    try {
      JsonValue row = parse_json(line);
      keep = !(row.get("kind") == "outcome" && drop.count({row.get_uint("assignment"), row.get_uint("attempt")}));
    } catch (const DecodeError&) {
      // a row this writer did not write: keep it
    }
    if (keep) {
      line += '\n';
      next.append_row(line);
    } else {
      ++removed;
    }
  }
  if (in.bad()) throw WriteError(report_compaction_failure(path_, removed, "the report cannot be read"));
  if (removed == 0) return 0;  // the report stays as it is
  const int error = next.install(file_, writer_);
  if (error) throw WriteError(report_compaction_failure(path_, removed, std::strerror(error)));
  return removed;
}

}  // namespace ramify
