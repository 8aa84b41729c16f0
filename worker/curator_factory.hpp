#pragma once
// Builds the curator a job spec names. Each slot builds its own.

#include <memory>

#include "common/job_spec.hpp"
#include "ramify/curator.hpp"

namespace ramify {

// Throws ConfigError when the curator's configuration is unusable.
std::unique_ptr<Curator> make_curator(const JobSpec& spec);

}  // namespace ramify
