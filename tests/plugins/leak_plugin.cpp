// A test curator that leaks: every file node allocates [curator] leak_mb
// (default 8; 0 for none) MiB, touches it, and never frees it. Each file node
// records what the slot process has leaked so far (leaked_mb), its resident
// memory after the leak (resident_kb, from /proc/self/statm) and its pid
// (slot_pid), so a test can tell the processes apart and learn how big a
// slot process is on this machine.

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <string>

#include "ramify/curator.hpp"

namespace {

unsigned long long resident_kb() {
  std::ifstream statm("/proc/self/statm");
  unsigned long long size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<unsigned long long>(sysconf(_SC_PAGESIZE)) / 1024;
}

class LeakCurator : public ramify::Curator {
 public:
  explicit LeakCurator(const ramify::CuratorOptions& options) {
    auto it = options.find("leak_mb");
    bytes_ = static_cast<std::size_t>(it == options.end() ? 8 : std::stoul(it->second)) << 20;
  }
  void curate(const ramify::Node& node, ramify::Context& ctx) override {
    if (!node.is_file) return;
    if (bytes_ > 0) {
      void* block = std::malloc(bytes_);
      if (!block) throw std::bad_alloc();
      std::memset(block, 0x5a, bytes_);  // resident, not just reserved
      leaked_ += bytes_;
    }
    ctx.record("leaked_mb", std::to_string(leaked_ >> 20));
    ctx.record("resident_kb", std::to_string(resident_kb()));
    ctx.record("slot_pid", std::to_string(getpid()));
  }

 private:
  std::size_t bytes_;
  std::size_t leaked_ = 0;
};

}  // namespace

RAMIFY_CURATOR_PLUGIN(LeakCurator)
