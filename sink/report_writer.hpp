#pragma once
// Appends whole rows to a text report (JSON Lines, CSV) through its own
// buffer and write(2), and knows how far the file holds complete rows (its
// committed offset). When a write fails (a full disk), the file is cut back
// to that offset, so that it holds only whole rows; the writer then refuses
// every later write with the same error:
//   report PATH: No space left on device after N rows
// (N: the complete rows in the file, including those there before it).

#include <cstdint>
#include <string>
#include <string_view>

namespace ramify {

class ReportWriter {
 public:
  static constexpr std::size_t kBufferBytes = std::size_t{1} << 20;

  // `path` names the report in error messages.
  explicit ReportWriter(std::string path);

  // Writes to `fd` (not owned), whose first `offset` bytes hold `rows`
  // complete rows; what was buffered for the previous file is dropped.
  void attach(int fd, std::uint64_t offset, std::uint64_t rows);

  // Adds one complete row; writes the buffer out first when it is full.
  // Throws WriteError.
  void append_row(std::string_view row) {
    if (error_) throw_failure();
    if (buffer_.size() + row.size() > kBufferBytes && !buffer_.empty()) drain();
    buffer_.append(row);
    ++buffered_rows_;
  }
  // Adds bytes that are not a row (a header). Throws WriteError.
  void append_bytes(std::string_view bytes);

  // Writes out what is buffered. Throws WriteError.
  void flush();
  // Flushes, then fsyncs the file and its folder. Throws WriteError.
  void sync();

  // The rows written (those buffered included); after a failure, the rows
  // the file holds.
  std::uint64_t rows() const { return committed_rows_ + buffered_rows_; }
  // The bytes of complete rows in the file (what is buffered not included).
  std::uint64_t committed_bytes() const { return committed_bytes_; }
  // The errno of the failure, 0 while none.
  int error() const { return error_; }

 private:
  // Writes the buffer at the committed offset; on failure cuts the file back.
  void drain();
  [[noreturn]] void fail(int error);
  [[noreturn]] void throw_failure() const;

  std::string path_;
  int fd_ = -1;
  std::uint64_t committed_bytes_ = 0;
  std::uint64_t written_back_ = 0;  // the offset up to which the disk was asked to start writing
  static constexpr std::uint64_t kWriteBackBytes = std::uint64_t{8} << 20;
  std::uint64_t committed_rows_ = 0;
  std::uint64_t buffered_rows_ = 0;
  std::string buffer_;  // its storage is reserved once and kept
  int error_ = 0;
  std::string failure_;
};

}  // namespace ramify
