#pragma once
// The report, in the format its file name asks for: `.jsonl` (JSON Lines),
// `.csv` (the Python HierarchyCurator columns first), `.db` (SQLite: tables
// `outcomes` and `logs`, indexed by container_id).
//
// An existing report is never silently overwritten: it is refused, replaced
// (--force), or continued (--append: a restarted sink; only when its format
// and columns are ramify's).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/messages.hpp"
#include "sink/report_row.hpp"

namespace ramify {

class ReportFile {
 public:
  virtual ~ReportFile() = default;
  virtual void write(const ReportRow& row) = 0;
  // Makes what was written durable enough to acknowledge (before the sink acks).
  virtual void flush() = 0;
  // Removes the outcome rows of these attempts (they were run again elsewhere,
  // so each node keeps exactly one outcome). Returns the number removed.
  virtual std::uint64_t drop_outcomes(const std::vector<AssignmentRef>& attempts) = 0;
  virtual const std::string& path() const = 0;
};

enum class ExistingReport { refuse, replace, append };
using ExistingRowHandler = std::function<void(const ReportRow& row)>;

// Opens the report at `path` (the format by its extension; anything other
// than .csv and .db is JSON Lines). With `append`, every complete row already
// there is handed to `on_existing_row` first. Throws ConfigError.
std::unique_ptr<ReportFile> open_report(const std::string& path, ExistingReport existing,
                                        const ExistingRowHandler& on_existing_row = {});

// Throws ConfigError when `path` exists and `existing` is refuse.
void check_report_is_new(const std::string& path, ExistingReport existing);

}  // namespace ramify
