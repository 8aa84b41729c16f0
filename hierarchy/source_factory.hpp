#pragma once
// Opens the hierarchy a job spec names: its directory tree or its manifest.

#include <memory>

#include "hierarchy/directory_source.hpp"
#include "hierarchy/hierarchy_source.hpp"
#include "hierarchy/memory_source.hpp"
#include "spec/job_spec.hpp"

namespace ramify {

struct OpenedSource {
  std::unique_ptr<HierarchySource> source;
  const MemorySource* manifest = nullptr;  // set when the source is a manifest
};

// Throws SourceError when the root or the manifest cannot be read.
OpenedSource open_source(const JobSpec& spec);

// The job's directory tree (`root`, `levels`, `exclude`, `exclude_git`,
// `follow_symlinks`), as
// the broker and every worker read it.
std::unique_ptr<DirectorySource> directory_source(const JobSpec& spec);

}  // namespace ramify
