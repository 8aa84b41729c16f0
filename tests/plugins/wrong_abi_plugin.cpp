// Test plugins the loader must refuse before creating anything.
//   default:                   ramify_curator_abi_version() returns 999.
//   RAMIFY_TEST_NO_ABI_SYMBOL: no ramify_curator_abi_version at all (not a ramify plugin).
// Creating would throw a message no test expects, so calling create first is caught.

#include <stdexcept>

#include "ramify/curator.hpp"

#ifndef RAMIFY_TEST_NO_ABI_SYMBOL
extern "C" int ramify_curator_abi_version() { return 999; }
#endif

extern "C" ramify::Curator* ramify_create_curator(const ramify::CuratorOptions* /*options*/) {
  throw std::logic_error("ramify_create_curator was called on a plugin that should have been refused");
}

extern "C" void ramify_destroy_curator(ramify::Curator* curator) { delete curator; }
