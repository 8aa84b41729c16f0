#include "sink/report_replacement.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "util/errors.hpp"

namespace ramify {

ReportReplacement::ReportReplacement(const LockedFile& report) : writer_(report.path() + ".compacting") {
  file_ = LockedFile::create_temporary(report.path() + ".compacting", error_);
  if (error_) return;
  struct stat st {};
  if (::fstat(report.fd(), &st) != 0 || ::fchmod(file_.fd(), st.st_mode & 07777) != 0) error_ = errno;
  writer_.attach(file_.fd(), 0, 0);
}

ReportReplacement::~ReportReplacement() {
  if (installed_ || !file_.is_open()) return;
  ::unlink(file_.path().c_str());
  file_.close();
}

void ReportReplacement::append_bytes(std::string_view bytes) {
  if (error_) return;
  try {
    writer_.append_bytes(bytes);
  } catch (const WriteError&) {
    error_ = writer_.error();
  }
}

void ReportReplacement::append_row(std::string_view row) {
  if (error_) return;
  try {
    writer_.append_row(row);
  } catch (const WriteError&) {
    error_ = writer_.error();
  }
}

int ReportReplacement::install(LockedFile& report, ReportWriter& writer) {
  if (!error_) {
    try {
      writer_.flush();
    } catch (const WriteError&) {
      error_ = writer_.error();
    }
  }
  if (!error_ && ::fsync(file_.fd()) != 0) error_ = errno;
  if (!error_) error_ = file_.rename_to(report.path());
  if (error_) return error_;
  installed_ = true;
  const std::uint64_t bytes = writer_.committed_bytes();
  const std::uint64_t rows = writer_.rows();
  report = std::move(file_);  // closes the old file; the new one is locked already
  writer.attach(report.fd(), bytes, rows);
  // From here the new version is the report, whole, and so is the old one
  // should the rename not reach the disk; a failure to sync the folder is
  // reported by finish(), which syncs it again.
  (void)sync_folder_of(report.path());
  return 0;
}

}  // namespace ramify
