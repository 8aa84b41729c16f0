// `ramify slurm`: `ramify run` whose workers are a Slurm job array. The
// broker and the sink run here, on the submitting host, bound where the
// compute nodes reach them; one `sbatch` submits every worker; at the end
// (the run over, failed, or stopped) `scancel` takes back what is left. Its
// exit status is the run's, as for `ramify run`.

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/daemon_process.hpp"
#include "cli/number_flags.hpp"
#include "cli/run_options.hpp"
#include "cli/run_session.hpp"
#include "cli/slurm_batch.hpp"
#include "util/duration.hpp"
#include "util/errors.hpp"
#include "util/host_name.hpp"

namespace po = boost::program_options;

namespace ramify {
namespace {

void add_slurm_options(po::options_description& options) {
  options.add_options()
      ("partition", po::value<std::string>(), "sbatch --partition")
      ("account", po::value<std::string>(), "sbatch --account")
      ("time", po::value<std::string>(), "sbatch --time, each worker's limit (Slurm's format: 30, 1:00:00, 2-00:00:00); the workers drain in time to be gone by it")
      ("cpus-per-task", po::value<std::string>(), "sbatch --cpus-per-task: each worker's slots (unless --concurrency)")
      ("mem", po::value<std::string>(), "sbatch --mem")
      ("sbatch-arg", po::value<std::vector<std::string>>(), "one more sbatch option for the workers' job, e.g. --sbatch-arg=--qos=long (repeatable)")
      ("job-name", po::value<std::string>()->default_value("ramify"), "sbatch --job-name")
      ("address", po::value<std::string>(), "where the compute nodes reach this host (default: its name)")
      ("port-base", po::value<std::string>()->default_value("5550"), "the broker's ports from here (N to N+3), the sink's from N+10")
      ("drain-timeout", po::value<std::string>()->default_value("30"), "the workers' drain timeout, seconds (at most an eighth of --time)")
      ("queue-wait", po::value<std::string>()->default_value("3600"), "seconds the run may wait for a first (or next) worker while work is left: the queue")
      ("ramify", po::value<std::string>(), "this program's path on the compute nodes (default: its path here)")
      ("dry-run", "print the batch script and submit nothing");
}

SlurmWorkers workers_from(const po::variables_map& vm, const std::string& keys) {
  SlurmWorkers w;
  w.tasks = static_cast<unsigned>(count_flag(vm, "workers", 1, 100000));
  auto text = [&](const char* name) { return vm.count(name) ? vm[name].as<std::string>() : std::string(); };
  w.partition = text("partition");
  w.account = text("account");
  w.time = text("time");
  w.mem = text("mem");
  w.job_name = text("job-name");
  if (vm.count("cpus-per-task")) w.cpus_per_task = static_cast<unsigned>(count_flag(vm, "cpus-per-task", 1, 4096));
  if (vm.count("sbatch-arg")) w.sbatch_args = vm["sbatch-arg"].as<std::vector<std::string>>();
  for (const std::string& arg : w.sbatch_args)
    if (arg.find('\n') != std::string::npos) throw ConfigError("--sbatch-arg must be one line, not '" + arg + "'");
  w.ramify = vm.count("ramify") ? vm["ramify"].as<std::string>() : self_executable();
  const std::string host = vm.count("address") ? vm["address"].as<std::string>() : host_name();
  const auto base = count_flag(vm, "port-base", 1024, 65500);
  w.broker = host + ":" + std::to_string(base);
  w.sink = host + ":" + std::to_string(base + 10);
  w.keys = keys;
  w.concurrency = static_cast<unsigned>(count_flag(vm, "concurrency", 0, kMaxConcurrency));
  w.drain_timeout = seconds_flag(vm, "drain-timeout", 1, 3600);
  if (!w.time.empty()) fit_to_time_limit(parse_slurm_time(w.time, "--time"), w.drain_timeout, w);
  if (w.max_lifetime.count() > 0 && w.max_lifetime <= 2 * w.drain_timeout)
    throw ConfigError("--time " + w.time + " leaves the workers no time to work after their drain");
  return w;
}

}  // namespace

int slurm_command(const Arguments& args) {
  po::options_description options("ramify slurm options");
  add_run_options(options);
  po::options_description slurm("Slurm");
  add_slurm_options(slurm);
  options.add(slurm);
  po::variables_map vm = parse_run_arguments(args, options);
  if (vm.count("help")) {
    std::cout << "Usage: ramify slurm [--root] DIR [job flags of `ramify run`] --workers N [--partition P]\n"
                 "                    [--account A] [--time T] [--cpus-per-task C] [--mem M] [--sbatch-arg ARG]...\n"
                 "Runs the broker and the sink on this host and the workers as one Slurm job array of N\n"
                 "tasks (sbatch); shows the progress; at the end cancels what is left of the job (scancel).\n"
                 "The data, the report's folder, the keys folder and this program must be at the same\n"
                 "paths on the compute nodes (a shared filesystem). --dry-run prints the batch script.\n"
                 "Exit status: as `ramify run`.\n\n"
              << options << "\n";
    return kExitOk;
  }
  po::notify(vm);
  if (vm.count("dry-run")) {
    const JobSpec spec = run_job_spec(vm);
    std::string keys = vm.count("keys") ? vm["keys"].as<std::string>() : spec.get("job", "keys");
    if (!keys.empty()) keys = std::filesystem::absolute(keys).string();
    std::cout << batch_script(workers_from(vm, keys));
    return kExitOk;
  }
  RunSession session(vm);
  const SlurmWorkers workers = workers_from(vm, session.keys());
  // Submitted first: a refusal (a wrong partition, an account) is this
  // command's last line, before anything started. The tasks wait for the
  // broker (--connect-timeout), so starting it next is soon enough.
  const std::string script = session.folder() + "/workers.sbatch";
  std::ofstream(script) << batch_script(workers);
  const std::string job = submit_array(script);
  const std::string base = workers.broker.substr(workers.broker.rfind(':') + 1);
  const std::string sink_base = workers.sink.substr(workers.sink.rfind(':') + 1);
  try {
    session.start("*:" + base, "*:" + sink_base, "127.0.0.1:" + base,
                  {"--worker-wait", std::to_string(seconds_flag(vm, "queue-wait", 1, 10000000).count() / 1000)});
  } catch (...) {
    cancel_job(job);  // no broker for it
    throw;
  }
  session.say("ramify: submitted job array " + job + " (" + std::to_string(workers.tasks) +
              " worker(s)); it is cancelled when the run ends\n");
  const int status = session.wait();
  const std::string cancel_error = cancel_job(job);
  if (!cancel_error.empty()) std::cerr << "ramify: warning: scancel " << job << ": " << cancel_error << "\n";
  return status;
}

}  // namespace ramify
