// A test curator that leaks: every file node allocates [curator] leak_mb
// (default 8) MiB, touches it, and never frees it.

#include <cstdlib>
#include <cstring>
#include <string>

#include "ramify/curator.hpp"

namespace {

class LeakCurator : public ramify::Curator {
 public:
  explicit LeakCurator(const ramify::CuratorOptions& options) {
    auto it = options.find("leak_mb");
    bytes_ = static_cast<std::size_t>(it == options.end() ? 8 : std::stoul(it->second)) << 20;
  }
  void curate(const ramify::Node& node, ramify::Context& ctx) override {
    if (!node.is_file) return;
    void* block = std::malloc(bytes_);
    if (!block) throw std::bad_alloc();
    std::memset(block, 0x5a, bytes_);  // resident, not just reserved
    leaked_ += bytes_;
    ctx.record("leaked_mb", std::to_string(leaked_ >> 20));
  }

 private:
  std::size_t bytes_;
  std::size_t leaked_ = 0;
};

}  // namespace

RAMIFY_CURATOR_PLUGIN(LeakCurator)
