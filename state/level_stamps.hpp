#pragma once
// Each level's curator fingerprint: what, beyond the node itself, decides
// whether a node's last outcome still stands. It digests ramify's version,
// every key of the job that shapes curation (not those that only shape the
// run: partitioning, heartbeats, the report...), the [exec] commands of that
// level only, and the contents of the plugin, the python module, the shared
// inputs and the checksum list. [checksum] recheck = always makes the file
// level's differ on every run.

#include <map>
#include <string>

#include "spec/job_spec.hpp"

namespace ramify {

// Level name -> fingerprint, for the job's levels, "folder" and "file".
std::map<std::string, std::string> curator_stamps(const JobSpec& spec, const std::string& run_id);

}  // namespace ramify
