#include "sink/locked_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <utility>

#include "sink/report_file.hpp"
#include "util/errors.hpp"

namespace ramify {
namespace {

using FileId = std::pair<dev_t, ino_t>;

// The files this process holds, by identity; guarded by held_mutex(), as are
// the renames that move them.
std::mutex& held_mutex() {
  static std::mutex mutex;
  return mutex;
}
std::set<FileId>& held() {
  static std::set<FileId> files;
  return files;
}

std::string busy(const std::string& path) { return "report " + path + " is being written by another sink"; }

}  // namespace

LockedFile::~LockedFile() { close(); }

LockedFile::LockedFile(LockedFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)), dev_(other.dev_), ino_(other.ino_) {}

LockedFile& LockedFile::operator=(LockedFile&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    dev_ = other.dev_;
    ino_ = other.ino_;
  }
  return *this;
}

void LockedFile::close() {
  if (fd_ < 0) return;
  std::lock_guard guard(held_mutex());
  held().erase({dev_, ino_});
  ::close(fd_);  // releases the lock
  fd_ = -1;
}

LockedFile LockedFile::open_report(const std::string& path, bool create_new) {
  std::lock_guard guard(held_mutex());
  // A sink that holds the report may put a new file in its place (compaction)
  // between our open and our lock: then the lock we got is on the old file,
  // and we try again on the new one.
  for (int attempt = 0; attempt < 100; ++attempt) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
      if (held().count({st.st_dev, st.st_ino})) throw ConfigError(busy(path));
      if (S_ISDIR(st.st_mode)) throw ConfigError("report " + path + " is a directory");
    }
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | (create_new ? O_EXCL : 0), 0666);
    if (fd < 0) {
      const int error = errno;
      if (error == EISDIR) throw ConfigError("report " + path + " is a directory");
      if (error == EEXIST) check_report_is_new(path, ExistingReport::refuse);  // throws its message
      throw ConfigError("cannot create report " + path + ": " + std::strerror(error));
    }
    struct stat opened {};
    if (::fstat(fd, &opened) != 0) {
      const int error = errno;
      ::close(fd);
      throw ConfigError("cannot create report " + path + ": " + std::strerror(error));
    }
    // Only when another process renamed a file we hold to `path` after the
    // stat above. Closing this descriptor would drop SQLite's fcntl locks on
    // it, so it is left open.
    if (held().count({opened.st_dev, opened.st_ino})) throw ConfigError(busy(path));
    if (!S_ISREG(opened.st_mode)) {
      ::close(fd);
      throw ConfigError("report " + path + " is not a regular file");
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      ::close(fd);
      if (error == EWOULDBLOCK) throw ConfigError(busy(path));
      throw ConfigError("cannot lock report " + path + ": " + std::strerror(error));
    }
    if (::stat(path.c_str(), &st) != 0 || st.st_dev != opened.st_dev || st.st_ino != opened.st_ino) {
      ::close(fd);  // replaced meanwhile: lock the file that is there now
      continue;
    }
    held().insert({opened.st_dev, opened.st_ino});
    return LockedFile(fd, path, opened.st_dev, opened.st_ino);
  }
  throw ConfigError(busy(path));
}

LockedFile LockedFile::create_temporary(const std::string& path, int& error) {
  std::lock_guard guard(held_mutex());
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && held().count({st.st_dev, st.st_ino})) {
    error = EBUSY;
    return {};
  }
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
  if (fd < 0) {
    error = errno;
    return {};
  }
  // Truncated only once locked, like the report itself.
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    error = errno;
    ::close(fd);
    return {};
  }
  if (::ftruncate(fd, 0) != 0 || ::fstat(fd, &st) != 0) {
    error = errno;
    ::unlink(path.c_str());
    ::close(fd);
    return {};
  }
  held().insert({st.st_dev, st.st_ino});
  return LockedFile(fd, path, st.st_dev, st.st_ino);
}

int LockedFile::rename_to(const std::string& target) {
  std::lock_guard guard(held_mutex());
  if (::rename(path_.c_str(), target.c_str()) != 0) return errno;
  path_ = target;
  return 0;
}

std::string folder_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

int sync_folder_of(const std::string& path) {
  const int fd = ::open(folder_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  int error = 0;
  // EINVAL: a file system that has nothing to sync for folders.
  if (::fsync(fd) != 0 && errno != EINVAL) error = errno;
  ::close(fd);
  return error;
}

}  // namespace ramify
