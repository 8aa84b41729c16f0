#pragma once
// What `ramify run` and `ramify slurm` share: the job read from the run
// flags and checked, the report chosen, the keys found; the broker and the
// sink started as children of this process, their lines on its console (see
// RunConsole); workers added by the caller; and the wait until the broker
// exits, with Ctrl-C forwarded to it (a second one ends every process). Its
// exit status is the run's: 0 only when the sink confirmed a complete and
// durable report.

#include <boost/program_options.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "spec/job_spec.hpp"

namespace ramify {

class RunSession {
 public:
  // Reads the run flags (`ramify run --help`); throws ConfigError, SourceError.
  explicit RunSession(const boost::program_options::variables_map& vm);
  ~RunSession();
  RunSession(const RunSession&) = delete;
  RunSession& operator=(const RunSession&) = delete;

  const JobSpec& spec() const;
  const std::string& keys() const;       // absolute, "" without keys
  const std::string& log_level() const;  // the daemons' --log-level
  const std::string& folder() const;     // a private temporary folder, removed at the end

  // Starts the broker bound on `broker_bind` and the sink on `sink_bind`
  // (HOST[:BASE] or ipc://PREFIX); the sink reaches the broker at
  // `broker_address`. `broker_args` go to `ramify broker` as well.
  void start(const std::string& broker_bind, const std::string& sink_bind, const std::string& broker_address,
             const std::vector<std::string>& broker_args = {});
  // `--metrics HOST:PORT+offset` for a daemon of the run (offsets: broker 0,
  // sink 1, workers 2 on), or nothing without --metrics.
  std::vector<std::string> metrics_args(unsigned offset) const;
  // Starts a worker process of this binary with `args` (after `ramify worker`).
  void add_worker(const std::vector<std::string>& args);
  // Writes whole lines of this command above the progress line.
  void say(const std::string& text);
  // Waits for the run's end and returns its exit status; `each_turn` runs
  // every 10 ms meanwhile (false: the caller gives up, the run is stopped as
  // by Ctrl-C).
  int wait(const std::function<bool()>& each_turn = {});

 private:
  int write_html(int status);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ramify
