// The JSON Lines manifest parser, with and without a root: it may only build a
// hierarchy or throw SourceError.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hierarchy/manifest_loader.hpp"
#include "util/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<std::string> levels{"project", "subject", "session"};
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const char* root : {"", "/data"}) {
    try {
      auto source = ramify::parse_manifest(text, levels, "fuzz", root);
      (void)source->subtree(source->root().id);
    } catch (const ramify::SourceError&) {
    }
  }
  return 0;
}
