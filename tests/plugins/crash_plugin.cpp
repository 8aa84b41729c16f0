// A test curator that crashes: on the node labelled [curator] crash_on
// (default "boom.txt") it dies with SIGSEGV; every other node is ok.

#include <csignal>
#include <string>

#include "ramify/curator.hpp"

namespace {

class CrashCurator : public ramify::Curator {
 public:
  explicit CrashCurator(const ramify::CuratorOptions& options) {
    auto it = options.find("crash_on");
    crash_on_ = it == options.end() ? "boom.txt" : it->second;
  }
  void curate(const ramify::Node& node, ramify::Context& /*ctx*/) override {
    if (node.label == crash_on_) std::raise(SIGSEGV);
  }

 private:
  std::string crash_on_;
};

}  // namespace

RAMIFY_CURATOR_PLUGIN(CrashCurator)
