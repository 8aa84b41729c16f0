#pragma once
// A report file held by one sink: opened without truncating it and locked
// with flock(LOCK_EX|LOCK_NB) for the object's whole life, so that a second
// sink (another process, or another report object in this one) cannot write
// the same report.
//
// Within one process the files held are also kept in a table, so that a
// second opener is refused without opening the file at all: closing any
// descriptor of a file drops every fcntl lock the process holds on it, and
// SQLite relies on those locks for a database it has open.

#include <sys/types.h>

#include <string>

namespace ramify {

class LockedFile {
 public:
  LockedFile() = default;
  ~LockedFile();
  LockedFile(LockedFile&& other) noexcept;
  LockedFile& operator=(LockedFile&& other) noexcept;
  LockedFile(const LockedFile&) = delete;
  LockedFile& operator=(const LockedFile&) = delete;

  // The report at `path`, opened for reading and writing and locked; never
  // truncated here. Created when missing; with `create_new`, only created
  // (an existing one is refused). Throws ConfigError: "report PATH is being
  // written by another sink", "report PATH is a directory", "cannot create
  // report PATH: <strerror>", or check_report_is_new's message.
  static LockedFile open_report(const std::string& path, bool create_new);

  // A file at `path` that only this process writes (a report's temporary
  // copy): created or truncated, then locked. On failure returns a closed
  // LockedFile and sets `error` to the errno.
  static LockedFile create_temporary(const std::string& path, int& error);

  // Renames this file to `target` (the report it replaces), keeping the lock.
  // Returns 0 or the errno.
  int rename_to(const std::string& target);

  // Closes the file (releasing the lock).
  void close();

  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  LockedFile(int fd, std::string path, dev_t dev, ino_t ino) : fd_(fd), path_(std::move(path)), dev_(dev), ino_(ino) {}

  int fd_ = -1;
  std::string path_;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
};

// The folder that holds `path` ("." for a bare name).
std::string folder_of(const std::string& path);
// fsyncs the folder that holds `path`, so that a file created or renamed there
// stays after a crash of the machine. Returns 0 or the errno.
int sync_folder_of(const std::string& path);

}  // namespace ramify
