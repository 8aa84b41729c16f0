#include "cli/slurm_batch.hpp"

#include <sstream>
#include <stdexcept>

#include "curators/process_runner.hpp"

namespace ramify {
namespace {

// sbatch and scancel talk to slurmctld, which may be busy: a deadline, not forever.
constexpr std::chrono::seconds kSlurmCommandTimeout{60};

struct Ran {
  ProcessResult result;
  std::string out, err;
};

Ran run_slurm_command(std::vector<std::string> argv) {
  Ran ran;
  ProcessOptions options;
  options.argv = std::move(argv);
  options.timeout = kSlurmCommandTimeout;
  ran.result = run_process(options, [&](bool is_stderr, std::string_view line) {
    std::string& into = is_stderr ? ran.err : ran.out;
    if (!into.empty()) into += "\n";
    into += line;
  });
  return ran;
}

std::string seconds_text(std::chrono::milliseconds duration) {
  std::ostringstream out;
  out << std::chrono::duration<double>(duration).count();
  return out.str();
}

}  // namespace

void fit_to_time_limit(std::chrono::seconds limit, std::chrono::milliseconds wanted, SlurmWorkers& workers) {
  if (limit.count() == 0) return;  // UNLIMITED
  const auto eighth = std::chrono::duration_cast<std::chrono::milliseconds>(limit) / 8;
  workers.drain_timeout = std::min(wanted, eighth);
  workers.max_lifetime = std::chrono::duration_cast<std::chrono::milliseconds>(limit) - workers.drain_timeout;
}

std::string shell_quoted(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string batch_script(const SlurmWorkers& w) {
  std::ostringstream s;
  s << "#!/bin/sh\n"
    << "# Written by `ramify slurm`: " << w.tasks << " ramify worker(s), one per array task; each joins the broker\n"
    << "# at " << w.broker << " and sends its records to the sink at " << w.sink << ".\n";
  s << "#SBATCH --job-name=" << w.job_name << "\n";
  s << "#SBATCH --array=0-" << (w.tasks - 1) << "\n";
  if (!w.partition.empty()) s << "#SBATCH --partition=" << w.partition << "\n";
  if (!w.account.empty()) s << "#SBATCH --account=" << w.account << "\n";
  if (!w.time.empty()) s << "#SBATCH --time=" << w.time << "\n";
  if (w.cpus_per_task > 0) s << "#SBATCH --cpus-per-task=" << w.cpus_per_task << "\n";
  if (!w.mem.empty()) s << "#SBATCH --mem=" << w.mem << "\n";
  for (const std::string& arg : w.sbatch_args) s << "#SBATCH " << arg << "\n";
  s << "\n# SIGTERM (scancel, the time limit) drains the worker: it hands back what it has not finished.\n";
  s << "exec " << shell_quoted(w.ramify) << " worker --broker " << shell_quoted(w.broker) << " --sink "
    << shell_quoted(w.sink) << " \\\n"
    << "  --id \"slurm-${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\" \\\n"
    << "  --concurrency "
    << (w.concurrency > 0 ? std::to_string(w.concurrency) : std::string("\"${SLURM_CPUS_PER_TASK:-1}\"")) << " \\\n"
    << "  --drain-timeout " << seconds_text(w.drain_timeout);
  if (w.max_lifetime.count() > 0) s << " --max-lifetime " << seconds_text(w.max_lifetime) << "s";
  // A task may start long after the broker: it waits for it as long as the queue did not.
  s << " --connect-timeout 600 --log-level " << w.log_level;
  if (!w.keys.empty()) s << " \\\n  --keys " << shell_quoted(w.keys);
  s << "\n";
  return s.str();
}

std::string submit_array(const std::string& script_path) {
  const Ran ran = run_slurm_command({"sbatch", "--parsable", script_path});
  if (ran.result.end != ProcessResult::End::exited || ran.result.exit_code != 0) {
    const std::string said = ran.err.empty() ? ran.out : ran.err;  // its last line says why
    throw std::runtime_error("sbatch refused the workers' job (" + ran.result.describe() +
                             "): " + said.substr(said.rfind('\n') + 1));
  }
  std::string id = ran.out.substr(0, ran.out.find_first_of(";\n"));  // "ID" or "ID;CLUSTER"
  if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
    throw std::runtime_error("sbatch said '" + ran.out + "', not a job id");
  return id;
}

std::string cancel_job(const std::string& job_id) {
  const Ran ran = run_slurm_command({"scancel", job_id});
  if (ran.result.end == ProcessResult::End::exited && ran.result.exit_code == 0) return "";
  return ran.result.describe() + (ran.err.empty() ? "" : ": " + ran.err);
}

}  // namespace ramify
