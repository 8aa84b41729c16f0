// Test plugins whose curator cannot be created.
//   default:                 the constructor throws std::runtime_error("bad option").
//   RAMIFY_TEST_CREATE_NULL: ramify_create_curator returns nullptr.

#include <stdexcept>

#include "ramify/curator.hpp"

#ifndef RAMIFY_TEST_CREATE_NULL

namespace {

class ThrowingCurator : public ramify::Curator {
 public:
  explicit ThrowingCurator(const ramify::CuratorOptions& /*options*/) { throw std::runtime_error("bad option"); }
  void curate(const ramify::Node& /*node*/, ramify::Context& /*ctx*/) override {}
};

}  // namespace

RAMIFY_CURATOR_PLUGIN(ThrowingCurator)

#else

extern "C" int ramify_curator_abi_version() { return ramify::kCuratorAbiVersion; }
extern "C" ramify::Curator* ramify_create_curator(const ramify::CuratorOptions* /*options*/) { return nullptr; }
extern "C" void ramify_destroy_curator(ramify::Curator* curator) { delete curator; }

#endif
