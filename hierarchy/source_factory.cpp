#include "hierarchy/source_factory.hpp"

#include "hierarchy/directory_source.hpp"
#include "hierarchy/manifest_loader.hpp"

namespace ramify {

OpenedSource open_source(const JobSpec& spec) {
  OpenedSource opened;
  std::string manifest = spec.get("job", "manifest");
  if (!manifest.empty()) {
    auto loaded = load_manifest(manifest, spec.levels(), spec.get("job", "root"));
    opened.manifest = loaded.get();
    opened.source = std::move(loaded);
  } else {
    opened.source = directory_source(spec);
    opened.source->root();  // fails now, clearly, when the root is missing
  }
  return opened;
}

std::unique_ptr<DirectorySource> directory_source(const JobSpec& spec) {
  return std::make_unique<DirectorySource>(spec.get("job", "root"), spec.job_levels(), spec.excluded(),
                                           spec.follow_symlinks());
}

}  // namespace ramify
