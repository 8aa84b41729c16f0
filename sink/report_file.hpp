#pragma once
// The report, in the format its file name asks for: `.jsonl` (JSON Lines),
// `.csv` (the Python HierarchyCurator columns first), `.db`, `.sqlite` or
// `.sqlite3` (SQLite: tables `outcomes` and `logs`, indexed by container_id).
// Any other name is refused, never written as JSON Lines by default.
//
// An existing report is never silently overwritten: it is refused, replaced
// (--force), or continued (--append: a restarted sink; only when its format
// and columns are ramify's). One sink writes a report at a time: the file is
// locked (flock) for the object's whole life, and a second opener is refused.
//
// The report tells the truth: every write is checked, and a write that fails
// (a full disk) leaves the file with whole rows only, and throws
//   WriteError "report PATH: <strerror> after N rows"
// N being the complete rows in the file (those there before --append
// included). That error is then thrown again by every later write, flush,
// finish and drop_outcomes; path() and rows() still answer.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "protocol/messages.hpp"
#include "sink/report_row.hpp"

namespace ramify {

class ReportFile {
 public:
  virtual ~ReportFile() = default;
  // Adds one row (buffered). Throws WriteError.
  virtual void write(const ReportRow& row) = 0;
  // JSON Lines: adds one row already in its JSON form (a whole line, its
  // newline included), as write() would have written it. Throws WriteError.
  virtual bool takes_json_lines() const { return false; }
  virtual void write_json_line(std::string_view /*line*/) {}
  // Hands every row written to the file, so that a crash of the sink loses
  // none (before the sink acks them). Throws WriteError.
  virtual void flush() = 0;
  // Makes the report durable at the end of a run: flushes, fsyncs the file
  // and its folder (SQLite: commits, checkpoints the write-ahead log into the
  // main file, fsyncs the folder). Throws WriteError. Writing may go on after.
  virtual void finish() = 0;
  // Removes the outcome rows of these attempts (they were run again elsewhere,
  // so each node keeps exactly one outcome). Returns the number removed. The
  // text formats write the new content to PATH.compacting and rename it over
  // the report once it is complete and fsynced; SQLite deletes in one
  // transaction. On failure the report is left as it was (the object stays
  // usable) and it throws WriteError "report PATH: cannot remove N outcome
  // row(s) of attempts that were run again: <strerror>".
  virtual std::uint64_t drop_outcomes(const std::vector<AssignmentRef>& attempts) = 0;
  // The rows in the report: those there before (--append) and those written;
  // after a failed write, the rows the file holds.
  virtual std::uint64_t rows() const = 0;
  virtual const std::string& path() const = 0;
};

enum class ExistingReport { refuse, replace, append };
enum class ReportFormat { jsonl, csv, sqlite, postgresql };

// The format the report's name asks for (the extension, in any case; a
// postgresql:// or postgres:// address is PostgreSQL). Throws ConfigError:
//   report r.txt: unknown format '.txt' (name it .jsonl for JSON Lines, .csv, or .db, .sqlite, .sqlite3 for SQLite,
//   or give a postgresql:// address)
//   report '-': a report is a file, not standard output (the rows of attempts that ran again are removed from it at the end); ...
ReportFormat report_format(const std::string& path);
using ExistingRowHandler = std::function<void(const ReportRow& row)>;

// Opens the report at `path` (the format by its extension, report_format)
// and locks it. With `append`, every complete
// row already there is handed to `on_existing_row` first (a row cut short at
// the end is dropped). With `replace`, the file is emptied only once locked.
// Throws ConfigError (report_format's messages, and):
//   report PATH is a directory
//   cannot create report PATH: No such file or directory   (its folder is missing)
//   cannot create report PATH: Permission denied           (its folder is not writable)
//   report PATH already exists (use --force to replace it, or --append to continue it)
//   report PATH is being written by another sink
std::unique_ptr<ReportFile> open_report(const std::string& path, ExistingReport existing,
                                        const ExistingRowHandler& on_existing_row = {});

// Hands every complete row of the report at `path` to `each`, opening it
// read-only (a report being written may be read; rows still buffered by its
// sink are not seen). Throws ConfigError: the format's name, an unreadable
// file, a file that is not a ramify report.
void read_report(const std::string& path, const ExistingRowHandler& each);

// The messages of WriteError, shared by the formats:
//   report PATH: WHY after N rows
std::string report_write_failure(const std::string& path, const std::string& why, std::uint64_t rows);
//   report PATH: cannot remove N outcome row(s) of attempts that were run again: WHY
std::string report_compaction_failure(const std::string& path, std::uint64_t rows, const std::string& why);

// Throws ConfigError when `path` exists and `existing` is refuse.
void check_report_is_new(const std::string& path, ExistingReport existing);

// Checks, creating nothing, that a report can be written at `path` (for a
// command to call before it starts any process). Throws ConfigError with the
// messages of open_report, an existing report without `replace` being
//   report PATH already exists (use --force to replace it)
// A report being written by another sink is found only by open_report.
void check_report_path(const std::string& path, bool replace);

}  // namespace ramify
