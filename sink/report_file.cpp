#include "sink/report_file.hpp"

#include <sys/stat.h>

#include "common/errors.hpp"
#include "sink/csv_report.hpp"
#include "sink/jsonl_report.hpp"
#include "sink/sqlite_report.hpp"

namespace ramify {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

void check_report_is_new(const std::string& path, ExistingReport existing) {
  struct stat st {};
  if (existing == ExistingReport::refuse && stat(path.c_str(), &st) == 0)
    throw ConfigError("report " + path + " already exists (use --force to replace it, or --append to continue it)");
}

std::unique_ptr<ReportFile> open_report(const std::string& path, ExistingReport existing,
                                        const ExistingRowHandler& on_existing_row) {
  check_report_is_new(path, existing);
  if (ends_with(path, ".csv")) return std::make_unique<CsvReport>(path, existing, on_existing_row);
  if (ends_with(path, ".db")) return std::make_unique<SqliteReport>(path, existing, on_existing_row);
  return std::make_unique<JsonlReport>(path, existing, on_existing_row);
}

}  // namespace ramify
