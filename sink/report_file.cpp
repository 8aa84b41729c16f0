#include "sink/report_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "sink/csv_report.hpp"
#include "sink/jsonl_report.hpp"
#include "sink/locked_file.hpp"
#include "sink/postgresql_report.hpp"
#include "sink/sqlite_report.hpp"
#include "util/errors.hpp"

namespace ramify {
namespace {

std::string exists_message(const std::string& path, bool can_append) {
  return "report " + path + " already exists (use --force to replace it" +
         (can_append ? ", or --append to continue it)" : ")");
}

// Throws ConfigError when no report can be written at `path`; creates nothing.
void preflight(const std::string& path, bool may_exist, bool can_append) {
  if (is_postgresql_address(path)) {  // a server, not a file: checked when connecting
    parse_postgresql_address(path);
    return;
  }
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0;
  const int stat_errno = errno;
  if (exists && S_ISDIR(st.st_mode)) throw ConfigError("report " + path + " is a directory");
  report_format(path);
  if (exists) {
    if (!may_exist) throw ConfigError(exists_message(path, can_append));
    if (!S_ISREG(st.st_mode)) throw ConfigError("report " + path + " is not a regular file");
    if (::faccessat(AT_FDCWD, path.c_str(), R_OK | W_OK, AT_EACCESS) != 0)
      throw ConfigError("cannot open report " + path + ": " + std::strerror(errno));
  } else if (stat_errno != ENOENT) {
    throw ConfigError("cannot create report " + path + ": " + std::strerror(stat_errno));
  }
  // The folder must take new files, even for a report that exists: its
  // compacted copy, SQLite's write-ahead log.
  const std::string folder = folder_of(path);
  if (::stat(folder.c_str(), &st) != 0)
    throw ConfigError("cannot create report " + path + ": " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) throw ConfigError("cannot create report " + path + ": " + std::strerror(ENOTDIR));
  if (::faccessat(AT_FDCWD, folder.c_str(), W_OK | X_OK, AT_EACCESS) != 0)
    throw ConfigError("cannot create report " + path + ": " + std::strerror(errno));
}

}  // namespace

ReportFormat report_format(const std::string& path) {
  if (path == "-")
    throw ConfigError("report '-': a report is a file, not standard output (the rows of attempts that ran again "
                      "are removed from it at the end); name a file, or follow the records with ramify tail --json");
  if (is_postgresql_address(path)) return ReportFormat::postgresql;
  const std::string name = std::filesystem::path(path).filename().string();
  const auto dot = name.rfind('.');
  std::string extension = dot == std::string::npos || dot == 0 ? "" : name.substr(dot);
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (extension == ".jsonl") return ReportFormat::jsonl;
  if (extension == ".csv") return ReportFormat::csv;
  if (extension == ".db" || extension == ".sqlite" || extension == ".sqlite3") return ReportFormat::sqlite;
  throw ConfigError("report " + path + ": " +
                    (extension.empty() ? std::string("no extension to choose its format by")
                                       : "unknown format '" + extension + "'") +
                    " (name it .jsonl for JSON Lines, .csv, or .db, .sqlite, .sqlite3 for SQLite, or give a "
                    "postgresql:// address)");
}

std::string report_write_failure(const std::string& path, const std::string& why, std::uint64_t rows) {
  return "report " + path + ": " + why + " after " + std::to_string(rows) + " rows";
}

std::string report_compaction_failure(const std::string& path, std::uint64_t rows, const std::string& why) {
  return "report " + path + ": cannot remove " + std::to_string(rows) +
         " outcome row(s) of attempts that were run again: " + why;
}

void check_report_is_new(const std::string& path, ExistingReport existing) {
  if (is_postgresql_address(path)) return;  // the server says so when the sink connects
  struct stat st {};
  if (existing == ExistingReport::refuse && ::stat(path.c_str(), &st) == 0)
    throw ConfigError(exists_message(path, true));
}

void check_report_path(const std::string& path, bool replace) { preflight(path, replace, false); }

std::unique_ptr<ReportFile> open_report(const std::string& path, ExistingReport existing,
                                        const ExistingRowHandler& on_existing_row) {
  preflight(path, existing != ExistingReport::refuse, true);
  switch (report_format(path)) {
    case ReportFormat::csv: return std::make_unique<CsvReport>(path, existing, on_existing_row);
    case ReportFormat::sqlite: return std::make_unique<SqliteReport>(path, existing, on_existing_row);
    case ReportFormat::postgresql: return std::make_unique<PostgresqlReport>(path, existing, on_existing_row);
    case ReportFormat::jsonl: break;
  }
  return std::make_unique<JsonlReport>(path, existing, on_existing_row);
}

void read_report(const std::string& path, const ExistingRowHandler& each) {
  const ReportFormat format = report_format(path);
  if (format == ReportFormat::postgresql) return PostgresqlReport::read(path, each);
  if (std::filesystem::is_directory(path)) throw ConfigError("report " + path + " is a directory");
  switch (format) {
    case ReportFormat::postgresql: break;
    case ReportFormat::csv: return CsvReport::read(path, each);
    case ReportFormat::sqlite: return SqliteReport::read(path, each);
    case ReportFormat::jsonl: return JsonlReport::read(path, each);
  }
}

}  // namespace ramify
