#pragma once
// Builds the curator a job spec names. Each slot builds its own; the broker
// builds one for the run's finalize.

#include "curators/plugin_loader.hpp"
#include "ramify/curator.hpp"
#include "spec/job_spec.hpp"

namespace ramify {

// Where a curator is built: on the job's host (the broker, `ramify run`,
// `ramify plan`), where the files the job names are, or in a worker's slot,
// which gets them from the broker as shared inputs.
enum class CuratorHost { job_host, worker_slot };

// Throws ConfigError when the curator's configuration is unusable (a bad
// template, an unreadable verify manifest, a plugin of another ABI, a python
// module that does not load...).
CuratorPtr make_curator(const JobSpec& spec, CuratorHost host = CuratorHost::job_host);

}  // namespace ramify
