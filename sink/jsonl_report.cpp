#include "sink/jsonl_report.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include "common/errors.hpp"

namespace ramify {

JsonlReport::JsonlReport(std::string path, ExistingReport existing, const ExistingRowHandler& on_existing_row)
    : path_(std::move(path)) {
  struct stat st {};
  if (existing == ExistingReport::append && stat(path_.c_str(), &st) == 0) {
    std::ifstream in(path_, std::ios::binary);
    std::string line;
    std::uint64_t complete_bytes = 0;
    while (std::getline(in, line)) {
      if (in.eof()) break;  // no newline: a row cut short by a crash
      complete_bytes += line.size() + 1;
      try {
        if (on_existing_row) on_existing_row(report_row_from_json(parse_json(line)));
      } catch (const DecodeError& e) {
        throw ConfigError("report " + path_ + " cannot be continued: " + e.what());
      }
    }
    in.close();
    if (truncate(path_.c_str(), static_cast<off_t>(complete_bytes)) != 0)
      throw ConfigError("cannot continue report " + path_ + ": " + std::strerror(errno));
  }
  file_ = std::fopen(path_.c_str(), existing == ExistingReport::append ? "a" : "w");
  if (!file_) throw ConfigError("cannot create report " + path_ + ": " + std::strerror(errno));
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
}

JsonlReport::~JsonlReport() {
  if (file_) std::fclose(file_);
}

void JsonlReport::write(const ReportRow& row) {
  line_.clear();  // reused: its storage stays
  append_report_row_json(line_, row);
  line_ += '\n';
  std::fwrite(line_.data(), 1, line_.size(), file_);
}

void JsonlReport::flush() { std::fflush(file_); }

std::uint64_t JsonlReport::drop_outcomes(const std::vector<AssignmentRef>& attempts) {
  if (attempts.empty()) return 0;
  std::set<std::pair<std::uint64_t, std::uint64_t>> drop;
  for (const auto& a : attempts) drop.emplace(a.id, a.attempt);
  std::fclose(file_);
  file_ = nullptr;

  const std::string temporary = path_ + ".compacting";
  std::ifstream in(path_, std::ios::binary);
  std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
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
      out << line << '\n';
    } else {
      ++removed;
    }
  }
  out.close();
  in.close();
  if (std::rename(temporary.c_str(), path_.c_str()) != 0)
    throw std::runtime_error("cannot replace " + path_ + ": " + std::strerror(errno));
  file_ = std::fopen(path_.c_str(), "a");
  return removed;
}

}  // namespace ramify
