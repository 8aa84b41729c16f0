#pragma once
// The batch script `ramify slurm` submits: one job array whose every task is
// a `ramify worker` of the run, and the Slurm commands around it (sbatch,
// scancel, squeue), run without a shell, each with a deadline.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ramify {

struct SlurmWorkers {
  unsigned tasks = 1;                       // array tasks, one worker each
  std::string partition, account, time, mem, job_name = "ramify";
  unsigned cpus_per_task = 0;               // 0: Slurm's default (one CPU)
  std::vector<std::string> sbatch_args;     // more #SBATCH lines, as given
  std::string ramify;                       // this binary's path, as the compute nodes see it
  std::string broker, sink;                 // HOST:BASE, as the compute nodes reach them
  std::string keys;                         // a keys folder on the shared filesystem ("" = none)
  unsigned concurrency = 0;                 // 0: the task's CPUs ($SLURM_CPUS_PER_TASK, else 1)
  std::chrono::milliseconds drain_timeout{30000};
  std::chrono::milliseconds max_lifetime{0};  // 0: none (no --time)
  std::string log_level = "warn";
};

// The drain timeout and the workers' lifetime for a Slurm time limit: the
// drain timeout is `wanted`, at most an eighth of the limit; the lifetime
// leaves that much before the limit for the records' flush.
void fit_to_time_limit(std::chrono::seconds limit, std::chrono::milliseconds wanted, SlurmWorkers& workers);

// The script: #SBATCH lines for every option, then `exec ramify worker ...`
// (the worker is the batch step's process: Slurm's SIGTERM drains it). No
// key is ever in it: the workers read theirs from the keys folder.
std::string batch_script(const SlurmWorkers& workers);

// `text` quoted for sh: 'it'\''s'.
std::string shell_quoted(const std::string& text);

// Submits `script_path` with sbatch; returns the array's job id. Throws
// std::runtime_error with sbatch's own words when it refuses.
std::string submit_array(const std::string& script_path);

// Cancels what is left of the job (tasks pending or running); the run is
// over, or stopped. Best effort: returns scancel's error, "" when it worked.
std::string cancel_job(const std::string& job_id);

}  // namespace ramify
