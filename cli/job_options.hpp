#pragma once
// Command-line shorthands for [job] keys, shared by `ramify run` and `ramify broker`.

#include <boost/program_options.hpp>

#include "common/job_spec.hpp"

namespace ramify {

void add_job_options(boost::program_options::options_description& options);
// The spec from --config, then the shorthands, then every --set (later wins). Validated.
JobSpec job_spec_from(const boost::program_options::variables_map& vm);

}  // namespace ramify
