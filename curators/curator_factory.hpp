#pragma once
// Builds the curator a job spec names. Each slot builds its own; the broker
// builds one for the run's finalize.

#include "curators/plugin_loader.hpp"
#include "ramify/curator.hpp"
#include "spec/job_spec.hpp"

namespace ramify {

// Throws ConfigError when the curator's configuration is unusable (a bad
// template, an unreadable verify manifest, a plugin of another ABI...).
CuratorPtr make_curator(const JobSpec& spec);

}  // namespace ramify
