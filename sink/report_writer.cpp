#include "sink/report_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sink/locked_file.hpp"
#include "sink/report_file.hpp"
#include "util/errors.hpp"

namespace ramify {

ReportWriter::ReportWriter(std::string path) : path_(std::move(path)) { buffer_.reserve(kBufferBytes); }

void ReportWriter::attach(int fd, std::uint64_t offset, std::uint64_t rows) {
  fd_ = fd;
  committed_bytes_ = offset;
  written_back_ = offset;
  committed_rows_ = rows;
  buffer_.clear();
  buffered_rows_ = 0;
}

void ReportWriter::append_bytes(std::string_view bytes) {
  if (error_) throw_failure();
  if (buffer_.size() + bytes.size() > kBufferBytes && !buffer_.empty()) drain();
  buffer_.append(bytes);
}

void ReportWriter::flush() {
  if (error_) throw_failure();
  if (!buffer_.empty()) drain();
}

void ReportWriter::sync() {
  flush();
  if (::fsync(fd_) != 0) fail(errno);
  if (const int error = sync_folder_of(path_)) fail(error);
}

void ReportWriter::drain() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::pwrite(fd_, buffer_.data() + done, buffer_.size() - done,
                               static_cast<off_t>(committed_bytes_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(errno);
    if (n == 0) fail(EIO);
    done += static_cast<std::size_t>(n);
  }
  committed_bytes_ += buffer_.size();
  committed_rows_ += buffered_rows_;
  buffer_.clear();
  buffered_rows_ = 0;
  // The disk starts on what is written while the run goes on, so that the
  // last sync waits only for the tail. A hint: its errors are sync()'s to report.
  if (committed_bytes_ >= written_back_ + kWriteBackBytes) {
    ::sync_file_range(fd_, static_cast<off_t>(written_back_), static_cast<off_t>(committed_bytes_ - written_back_),
                      SYNC_FILE_RANGE_WRITE);
    written_back_ = committed_bytes_;
  }
}

void ReportWriter::fail(int error) {
  buffer_.clear();
  buffered_rows_ = 0;
  error_ = error;
  failure_ = report_write_failure(path_, std::strerror(error), committed_rows_);
  // Whatever part of the buffer reached the file ends in a row cut short.
  if (::ftruncate(fd_, static_cast<off_t>(committed_bytes_)) != 0)
    failure_ += std::string(" (and a row cut short cannot be removed: ") + std::strerror(errno) + ")";
  throw_failure();
}

void ReportWriter::throw_failure() const { throw WriteError(failure_); }

}  // namespace ramify
