#include "sink/csv_report.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "sink/csv_text.hpp"
#include "sink/report_replacement.hpp"
#include "util/errors.hpp"
#include "util/json_text.hpp"

namespace ramify {
namespace {

// Appends the row's record (in columns() order) to `out`, allocating nothing
// but the results' JSON.
void append_row_csv(std::string& out, const ReportRow& row) {
  const LogRecord& r = row.record;
  char ts[40];
  char number[24];
  bool first = true;
  const auto field = [&](std::string_view text) {
    if (!first) out += ',';
    first = false;
    append_csv_field(out, text);
  };
  const auto unsigned_field = [&](std::uint64_t value) {
    const auto end = std::to_chars(number, number + sizeof number, value).ptr;
    field(std::string_view(number, static_cast<std::size_t>(end - number)));
  };
  field(r.container_type);
  field(r.container_id);
  field(r.label);
  field(r.err);
  field(r.msg);
  field(r.resolved ? "true" : "false");
  field(r.search_key);
  field(to_string(r.kind));
  field(r.kind == RecordKind::outcome ? to_string(r.status) : "");
  field(to_string(r.severity));
  field(format_iso8601_utc(r.ts_us, ts));
  field(row.worker);
  unsigned_field(row.seq);
  unsigned_field(r.assignment);
  unsigned_field(r.attempt);
  field(row.run);
  field(r.fields.empty() ? std::string() : results_json(r));
  field(r.kind == RecordKind::outcome ? started_text(r) : std::string());
  field(r.kind == RecordKind::outcome ? seconds_text(r) : std::string());
  out += "\r\n";
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
  set_timing(r, f[17], f[18]);
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
      "severity",       "ts",           "worker", "seq", "assignment", "attempt", "run",     "results",
      "started",        "seconds"};
  return names;
}

CsvReport::CsvReport(std::string path, ExistingReport existing, const ExistingRowHandler& on_existing_row)
    : path_(std::move(path)), file_(LockedFile::open_report(path_, existing == ExistingReport::refuse)), writer_(path_) {
  struct stat st {};
  const bool continuing = existing == ExistingReport::append && ::fstat(file_.fd(), &st) == 0 && st.st_size > 0;
  std::uint64_t complete = 0;
  std::uint64_t rows = 0;
  if (continuing) {
    complete = read_rows(path_, [&](const std::vector<std::string>& fields, std::string_view) {
      ++rows;
      if (on_existing_row) on_existing_row(row_of(fields));
    });
  }
  // Only now that the file is locked: the row cut short (--append) or the old
  // report (--force) goes.
  if (::ftruncate(file_.fd(), static_cast<off_t>(complete)) != 0)
    throw ConfigError(std::string("cannot ") + (continuing ? "continue" : "replace") + " report " + path_ + ": " +
                      std::strerror(errno));
  writer_.attach(file_.fd(), complete, rows);
  if (!continuing) writer_.append_bytes(header());
}

CsvReport::~CsvReport() {
  try {
    writer_.flush();
  } catch (const WriteError&) {
    // the file holds whole rows; finish() is where a caller hears of it
  }
}

void CsvReport::read(const std::string& path, const ExistingRowHandler& each) {
  read_rows(path, [&](const std::vector<std::string>& fields, std::string_view) { each(row_of(fields)); });
}

std::uint64_t CsvReport::read_rows(
    const std::string& path, const std::function<void(const std::vector<std::string>&, std::string_view raw)>& each) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("cannot read report " + path + ": " + std::strerror(errno));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::size_t pos = 0;
  std::vector<std::string> fields;
  if (!next_csv_record(text, pos, fields) || fields != columns())
    throw ConfigError("report " + path + " does not have ramify's CSV columns");
  while (true) {
    const std::size_t start = pos;
    if (!next_csv_record(text, pos, fields)) return start;  // what follows is a row cut short
    if (fields.size() != columns().size())
      throw ConfigError("report " + path + ": a row has " + std::to_string(fields.size()) + " columns");
    try {
      each(fields, std::string_view(text).substr(start, pos - start));
    } catch (const std::invalid_argument&) {
      throw ConfigError("report " + path + ": a row has a malformed number");
    } catch (const DecodeError& e) {
      throw ConfigError("report " + path + ": " + e.what());
    }
  }
}

void CsvReport::write(const ReportRow& row) {
  line_.clear();  // reused: its storage stays
  append_row_csv(line_, row);
  writer_.append_row(line_);
}

void CsvReport::flush() { writer_.flush(); }

void CsvReport::finish() { writer_.sync(); }

std::uint64_t CsvReport::drop_outcomes(const std::vector<AssignmentRef>& attempts) {
  if (attempts.empty()) return 0;
  writer_.flush();
  std::set<std::pair<std::string, std::string>> drop;
  for (const auto& a : attempts) drop.emplace(std::to_string(a.id), std::to_string(a.attempt));

  ReportReplacement next(file_);
  next.append_bytes(header());
  std::uint64_t removed = 0;
  read_rows(path_, [&](const std::vector<std::string>& f, std::string_view raw) {
    if (f[7] == "outcome" && drop.count({f[13], f[14]})) {
      ++removed;
    } else {
      next.append_row(raw);
    }
  });
  if (removed == 0) return 0;  // the report stays as it is
  if (const int error = next.install(file_, writer_))
    throw WriteError(report_compaction_failure(path_, removed, std::strerror(error)));
  return removed;
}

}  // namespace ramify
