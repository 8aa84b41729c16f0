#include "sink/csv_report.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "common/errors.hpp"
#include "common/json_text.hpp"
#include "sink/csv_text.hpp"

namespace ramify {
namespace {

std::vector<std::string> fields_of(const ReportRow& row) {
  const LogRecord& r = row.record;
  return {r.container_type,
          r.container_id,
          r.label,
          r.err,
          r.msg,
          r.resolved ? "true" : "false",
          r.search_key,
          to_string(r.kind),
          r.kind == RecordKind::outcome ? to_string(r.status) : "",
          to_string(r.severity),
          iso8601_utc(r.ts_us),
          row.worker,
          std::to_string(row.seq),
          std::to_string(r.assignment),
          std::to_string(r.attempt),
          row.run,
          r.fields.empty() ? "" : results_json(r)};
}

ReportRow row_of(const std::vector<std::string>& f) {
  ReportRow row;
  LogRecord& r = row.record;
  r.container_type = f[0];
  r.container_id = f[1];
  r.label = f[2];
  r.err = f[3];
  r.msg = f[4];
  r.resolved = f[5] == "true";
  r.search_key = f[6];
  r.kind = kind_named(f[7]);
  r.status = status_named(f[8]);
  r.severity = severity_named(f[9]);
  r.ts_us = parse_iso8601_utc(f[10]);
  row.worker = f[11];
  row.seq = std::stoull(f[12]);
  r.assignment = std::stoull(f[13]);
  r.attempt = static_cast<std::uint32_t>(std::stoul(f[14]));
  row.run = f[15];
  r.fields = results_from_json(f[16]);
  return row;
}

std::string header() {
  std::string line;
  append_csv_record(line, CsvReport::columns());
  return line;
}

}  // namespace

const std::vector<std::string>& CsvReport::columns() {
  static const std::vector<std::string> names{
      "container_type", "container_id", "label", "err", "msg",     "resolved", "search_key", "kind",   "status",
      "severity",       "ts",           "worker", "seq", "assignment", "attempt", "run",     "results"};
  return names;
}

CsvReport::CsvReport(std::string path, ExistingReport existing, const ExistingRowHandler& on_existing_row)
    : path_(std::move(path)) {
  struct stat st {};
  const bool continuing = existing == ExistingReport::append && stat(path_.c_str(), &st) == 0 && st.st_size > 0;
  if (continuing) {
    const std::uint64_t complete = read_rows([&](const std::vector<std::string>& fields, std::string_view) {
      if (on_existing_row) on_existing_row(row_of(fields));
    });
    if (truncate(path_.c_str(), static_cast<off_t>(complete)) != 0)
      throw ConfigError("cannot continue report " + path_ + ": " + std::strerror(errno));
  }
  file_ = std::fopen(path_.c_str(), continuing ? "a" : "w");
  if (!file_) throw ConfigError("cannot create report " + path_ + ": " + std::strerror(errno));
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
  if (!continuing) {
    const std::string line = header();
    std::fwrite(line.data(), 1, line.size(), file_);
  }
}

CsvReport::~CsvReport() {
  if (file_) std::fclose(file_);
}

std::uint64_t CsvReport::read_rows(
    const std::function<void(const std::vector<std::string>&, std::string_view raw)>& each) {
  std::ifstream in(path_, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::size_t pos = 0;
  std::vector<std::string> fields;
  if (!next_csv_record(text, pos, fields) || fields != columns())
    throw ConfigError("report " + path_ + " does not have ramify's CSV columns; not appending to it");
  while (true) {
    const std::size_t start = pos;
    if (!next_csv_record(text, pos, fields)) return start;  // what follows is a row cut short
    if (fields.size() != columns().size())
      throw ConfigError("report " + path_ + ": a row has " + std::to_string(fields.size()) + " columns");
    try {
      each(fields, std::string_view(text).substr(start, pos - start));
    } catch (const std::invalid_argument&) {
      throw ConfigError("report " + path_ + ": a row has a malformed number");
    } catch (const DecodeError& e) {
      throw ConfigError("report " + path_ + ": " + e.what());
    }
  }
}

void CsvReport::write(const ReportRow& row) {
  std::string line;
  append_csv_record(line, fields_of(row));
  std::fwrite(line.data(), 1, line.size(), file_);
}

void CsvReport::flush() { std::fflush(file_); }

std::uint64_t CsvReport::drop_outcomes(const std::vector<AssignmentRef>& attempts) {
  if (attempts.empty()) return 0;
  std::set<std::pair<std::string, std::string>> drop;
  for (const auto& a : attempts) drop.emplace(std::to_string(a.id), std::to_string(a.attempt));
  std::fflush(file_);
  const std::string temporary = path_ + ".compacting";
  std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
  out << header();
  std::uint64_t removed = 0;
  read_rows([&](const std::vector<std::string>& f, std::string_view raw) {
    if (f[7] == "outcome" && drop.count({f[13], f[14]})) {
      ++removed;
    } else {
      out << raw;
    }
  });
  out.close();
  std::fclose(file_);
  file_ = nullptr;
  if (std::rename(temporary.c_str(), path_.c_str()) != 0)
    throw std::runtime_error("cannot replace " + path_ + ": " + std::strerror(errno));
  file_ = std::fopen(path_.c_str(), "a");
  return removed;
}

}  // namespace ramify
