#pragma once
// A new version of a text report (its compaction), written next to it as
// PATH.compacting and put in its place only once it is complete and on disk:
// until then the report is untouched, and on any failure the temporary file
// is removed. The new file is locked before it takes the report's name, so
// that the report is never without its lock.
//
// Failures are recorded, not thrown: the caller reads on to count what it
// would have removed, then names the cause once.

#include <string_view>

#include "sink/locked_file.hpp"
#include "sink/report_writer.hpp"

namespace ramify {

class ReportReplacement {
 public:
  // Creates PATH.compacting for the report held by `report`, with its mode.
  explicit ReportReplacement(const LockedFile& report);
  // Removes the temporary file unless it was installed.
  ~ReportReplacement();
  ReportReplacement(const ReportReplacement&) = delete;
  ReportReplacement& operator=(const ReportReplacement&) = delete;

  // Both do nothing after a failure.
  void append_bytes(std::string_view bytes);
  void append_row(std::string_view row);

  // Writes the rest out, fsyncs the new version and renames it over the
  // report; `report` then holds the new file (locked) and `writer` appends
  // after its rows. Returns 0, or the errno of the first failure: then the
  // report, `report` and `writer` are as they were.
  int install(LockedFile& report, ReportWriter& writer);

  // The errno of the first failure, 0 while none.
  int error() const { return error_; }

 private:
  LockedFile file_;
  ReportWriter writer_;
  int error_ = 0;
  bool installed_ = false;
};

}  // namespace ramify
