#include "sink/report_writer.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include "common/errors.hpp"
#include "common/json_reader.hpp"
#include "sink/report_row.hpp"

namespace ramify {

ReportWriter::ReportWriter(std::string path, Existing existing, const RowHandler& on_existing_row)
    : path_(std::move(path)) {
  struct stat st {};
  const bool exists = stat(path_.c_str(), &st) == 0;
  if (exists && existing == Existing::refuse)
    throw ConfigError("report " + path_ + " already exists (use --force to replace it, or --append to continue it)");
  if (exists && existing == Existing::append) {
    std::ifstream in(path_, std::ios::binary);
    std::string line;
    std::uint64_t complete_bytes = 0;
    while (std::getline(in, line)) {
      if (in.eof()) break;  // no newline: a row cut short by a crash
      complete_bytes += line.size() + 1;
      try {
        if (on_existing_row) on_existing_row(parse_json(line));
      } catch (const DecodeError& e) {
        throw ConfigError("report " + path_ + " cannot be continued: " + e.what());
      }
    }
    in.close();
    if (truncate(path_.c_str(), static_cast<off_t>(complete_bytes)) != 0)
      throw ConfigError("cannot continue report " + path_ + ": " + std::strerror(errno));
  }
  file_ = std::fopen(path_.c_str(), existing == Existing::append ? "a" : "w");
  if (!file_) throw ConfigError("cannot create report " + path_ + ": " + std::strerror(errno));
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
}

ReportWriter::~ReportWriter() {
  if (file_) std::fclose(file_);
}

void ReportWriter::write(const std::string& worker, std::uint64_t seq, const LogRecord& record) {
  std::string line = report_row_json(worker, seq, record);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), file_);
}

void ReportWriter::flush() { std::fflush(file_); }

std::uint64_t ReportWriter::drop_outcomes(const std::vector<AssignmentRef>& attempts) {
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
