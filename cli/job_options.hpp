#pragma once
// Command-line shorthands for [job] keys, shared by `ramify run` and `ramify broker`.

#include <boost/program_options.hpp>
#include <functional>

#include "spec/job_spec.hpp"

namespace ramify {

void add_job_options(boost::program_options::options_description& options);
// The spec from --config (or --spec-file), then the shorthands (and what
// `more_shorthands` adds, such as a positional root), then every --set (later
// wins). Validated.
JobSpec job_spec_from(const boost::program_options::variables_map& vm,
                      const std::function<void(JobSpec&)>& more_shorthands = {});

// Writes a whole spec to a file that --spec-file reads back exactly (how
// `ramify run` hands the broker a spec of any size without argv limits).
void save_spec_file(const JobSpec& spec, const std::string& path);

}  // namespace ramify
