// `ramify plan`: the dry run of `ramify run` with the same flags. It reads
// the hierarchy and splits it as the broker would, and curates nothing.

#include <boost/program_options.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/run_options.hpp"
#include "curators/curator_factory.hpp"
#include "plan/job_plan.hpp"
#include "plan/plan_output.hpp"

namespace po = boost::program_options;

namespace ramify {

int plan_command(const Arguments& args) {
  po::options_description options("ramify plan options (and every flag of ramify run, which changes nothing here)");
  options.add_options()("json", "one JSON object, for scripts");
  po::options_description run_flags("ramify run options");
  add_run_options(run_flags);
  options.add(run_flags);
  po::variables_map vm = parse_run_arguments(args, options);
  if (vm.count("help")) {
    std::cout << "Usage: ramify plan [--root] DIR [--json] [every flag of ramify run]\n"
                 "Shows what `ramify run` with the same flags would do, without curating anything:\n"
                 "the level each folder takes (grouped, with counts), what is excluded, the\n"
                 "assignments with their node counts, and what the curator does at each level.\n"
                 "Exit status: 0 the plan was made, 2 usage or configuration error.\n\n"
              << options << "\n";
    return kExitOk;
  }
  po::notify(vm);
  const JobSpec spec = run_job_spec(vm);
  make_curator(spec);  // a curator that cannot start (a bad rule, a missing plugin) fails here as in a run
  const JobPlan plan = make_plan(spec);
  std::cout << (vm.count("json") ? plan_json(plan) + "\n" : plan_text(plan));
  return kExitOk;
}

}  // namespace ramify
