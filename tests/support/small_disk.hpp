#pragma once
// A small tmpfs for tests of a full disk. Mounting needs root: `available()`
// is false otherwise, and the test skips, saying why.

#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "support/temp_dir.hpp"

namespace ramify::testing {

class SmallDisk {
 public:
  // With `read_only`, nothing can be written on it (EROFS, even for root).
  explicit SmallDisk(std::size_t bytes, bool read_only = false) {
    mount_point_ = dir_.mkdir("disk");
    const std::string options = "size=" + std::to_string(bytes) + ",mode=0755";
    if (::mount("tmpfs", mount_point_.c_str(), "tmpfs", read_only ? MS_RDONLY : 0, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      why_ = std::string("cannot mount a tmpfs (") + std::strerror(errno) + "): a full disk needs root";
    }
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(mount_point_.c_str(), MNT_DETACH);
  }
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;

  bool available() const { return mounted_; }
  const std::string& why_not() const { return why_; }
  std::string path(const std::string& name) const { return mount_point_ + "/" + name; }

  // Writes a file of zeros until the disk is full, leaving `keep_free` bytes
  // (rounded to pages); returns the bytes written.
  std::size_t fill(const std::string& name, std::size_t keep_free = 0) const {
    std::ofstream out(path(name), std::ios::binary);
    const std::string block(4096, '\0');
    std::size_t written = 0;
    while (free_bytes() > keep_free + block.size()) {
      out.write(block.data(), static_cast<std::streamsize>(block.size()));
      out.flush();
      if (!out) break;
      written += block.size();
    }
    return written;
  }

  std::size_t free_bytes() const {
    struct ::statvfs st {};
    if (::statvfs(mount_point_.c_str(), &st) != 0) return 0;
    return static_cast<std::size_t>(st.f_bavail) * st.f_frsize;
  }

 private:
  TempDir dir_;
  std::string mount_point_;
  bool mounted_ = false;
  std::string why_;
};

}  // namespace ramify::testing
