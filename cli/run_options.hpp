#pragma once
// The flags of `ramify run`, which `ramify plan` takes too, so that a run
// and its dry run are one word apart.

#include <boost/program_options.hpp>

#include "cli/commands.hpp"
#include "spec/job_spec.hpp"

namespace ramify {

// The run's own flags (workers, report, keys, ...) and every job flag.
void add_run_options(boost::program_options::options_description& options);

// Parses `args` with `options`, the root allowed as a positional word.
boost::program_options::variables_map parse_run_arguments(const Arguments& args,
                                                          const boost::program_options::options_description& options);

// The job spec from the flags, the positional root included; validated.
JobSpec run_job_spec(const boost::program_options::variables_map& vm);

}  // namespace ramify
