#pragma once
// What a rerun with the job's state store would do (`ramify plan` with
// [job] state): every assignment scanned as its worker would scan it
// (engine/incremental_scan), against what the store holds now.

#include <cstdint>
#include <optional>
#include <string>

#include "spec/job_spec.hpp"

namespace ramify {

struct RerunPreview {
  std::string state;          // the store's path
  std::string mode;           // [job] rerun
  std::uint64_t curated = 0;  // nodes a rerun would curate
  std::uint64_t carried = 0;  // nodes it would carry over
  std::uint64_t gone = 0;     // stored nodes (their last outcome not failed) no longer in the hierarchy
};

// nullopt when the job has no state store. Throws ConfigError or SourceError.
std::optional<RerunPreview> preview_rerun(const JobSpec& spec);

}  // namespace ramify
