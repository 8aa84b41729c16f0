#pragma once
// In words, what the job's curator does to the nodes of one level, for
// `ramify plan`: read from the spec, never by running the curator.

#include <string>
#include <vector>

#include "spec/job_spec.hpp"

namespace ramify {

// One line per rule or command that applies to `level` (a job level,
// "folder" or "file"): "sha256 of the content", "[exec] file:*.json = jq . {path}".
std::vector<std::string> describe_curation(const JobSpec& spec, const std::string& level);

}  // namespace ramify
