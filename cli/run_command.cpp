// `ramify run`: broker, sink and N workers as processes of this binary on
// ipc:// endpoints in a private temporary folder, so that runs can share a
// machine. Its exit status is the broker's: 0 only when the sink confirmed a
// complete and durable report. It alone writes to its terminal: the
// daemons' lines come through pipes (see RunConsole).

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <boost/program_options.hpp>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cli/commands.hpp"
#include "cli/daemon_process.hpp"
#include "cli/job_options.hpp"
#include "cli/number_flags.hpp"
#include "cli/run_console.hpp"
#include "cli/run_options.hpp"
#include "curators/curator_factory.hpp"
#include "hierarchy/source_factory.hpp"
#include "sink/report_file.hpp"
#include "util/errors.hpp"
#include "util/logging.hpp"
#include "util/stop_request.hpp"

namespace po = boost::program_options;

namespace ramify {
namespace {

// Removes the private folder of the run's endpoints.
struct TemporaryFolder {
  std::string path;
  TemporaryFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ramify-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary folder");
    path = pattern;
  }
  ~TemporaryFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

void check_inputs(const JobSpec& spec) {
  make_curator(spec);
  const std::string manifest = spec.get("job", "manifest");
  if (!manifest.empty()) {
    if (access(manifest.c_str(), R_OK) != 0) throw SourceError("cannot read manifest " + manifest);
  } else {
    open_source(spec);
  }
}

// ramify-report-20250314-093015.jsonl in the current folder, a new name ("-2", ...) if taken.
std::string default_report_name() {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
  for (int n = 1;; ++n) {
    const std::string name =
        std::string("ramify-report-") + stamp + (n == 1 ? "" : "-" + std::to_string(n)) + ".jsonl";
    if (!std::filesystem::exists(name)) return name;
  }
}

// The report: --report, else [job] report, else a new file in the current
// folder (a run's results are in its report: without one they would be lost);
// "" with --no-report.
std::string choose_report(const po::variables_map& vm, const JobSpec& spec) {
  if (vm.count("no-report")) {
    if (vm.count("report")) throw ConfigError("--report and --no-report exclude each other");
    return "";
  }
  if (vm.count("report")) return vm["report"].as<std::string>();
  if (!spec.get("job", "report").empty()) return spec.get("job", "report");
  return default_report_name();
}

// Stops asked for by signals: counted, the last one kept (async-signal-safe).
std::atomic<int> g_stop_signals{0};
std::atomic<int> g_stop_signal{SIGINT};

// The run's processes: a broker, a sink and N workers, each the leader of its
// own process group (a terminal's Ctrl-C reaches only `ramify run`, which
// stops them in order) and each told to stop when `ramify run` dies.
struct RunProcesses {
  DaemonProcess broker;
  DaemonProcess sink;
  std::vector<DaemonProcess> workers;

  // Ends every process at once: a second Ctrl-C, or a sink that is gone. A
  // worker's exec commands die with it (its fork server sweeps them).
  void kill_all() {
    for (DaemonProcess* p : all()) p->signal(SIGKILL);
    for (DaemonProcess* p : all()) p->wait_for(std::chrono::seconds(5));
  }

  // After the broker: the sink concludes the report, workers leave on their own.
  void wait_for_the_rest(const std::shared_ptr<spdlog::logger>& log) {
    if (!sink.wait_for(std::chrono::seconds(15))) {
      log->warn("the sink did not finish; stopping it");
      sink.signal(SIGTERM);
      sink.signal(SIGTERM);  // a second stop: conclude at once
      if (!sink.wait_for(std::chrono::seconds(5))) sink.signal(SIGKILL);
    }
    // A worker that started too late to join may still be looking for the
    // broker. One deadline for all of them: waiting for each in turn would
    // cost 0.2 s per worker (51 s for 256) after the run is over.
    auto until = [](std::chrono::steady_clock::time_point deadline) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
          std::max(deadline - std::chrono::steady_clock::now(), std::chrono::steady_clock::duration::zero()));
    };
    const auto leave_by = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    for (auto& worker : workers)
      if (!worker.wait_for(until(leave_by))) worker.signal(SIGTERM);
    const auto stopped_by = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    for (auto& worker : workers) {
      if (!worker.wait_for(until(stopped_by))) {
        log->warn("worker process {} did not leave; killing it", worker.pid());
        worker.signal(SIGKILL);
      }
    }
    const auto killed_by = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    for (auto& worker : workers) worker.wait_for(until(killed_by));
  }

  std::vector<DaemonProcess*> all() {
    std::vector<DaemonProcess*> out{&broker, &sink};
    for (auto& worker : workers) out.push_back(&worker);
    return out;
  }
};

// "killed by SIGKILL" or "status 2".
std::string describe_status(int status) {
  return status > 128 ? "killed by " + StopRequest::signal_text(status - 128) : "status " + std::to_string(status);
}

}  // namespace

int run_command(const Arguments& args) {
  po::options_description options("ramify run options");
  add_run_options(options);
  po::variables_map vm = parse_run_arguments(args, options);
  if (vm.count("help")) {
    std::cout << "Usage: ramify run [--root] DIR [--levels L1,L2,...] [--curator NAME] [--exec LEVEL=CMD]...\n"
                 "                  [--workers N] [--report FILE] [--config JOB.ini] [--set section.key=value]...\n"
                 "Runs a broker, a sink and N workers on this machine and curates the hierarchy.\n"
                 "Curators: noop, exec, checksum, inventory, validate, plugin, python (see the README).\n"
                 "The report's format follows its extension: .jsonl (JSON Lines), .csv, or .db, .sqlite,\n"
                 ".sqlite3 (SQLite). Without --report: [job] report, else ramify-report-DATE-TIME.jsonl\n"
                 "in the current folder; --no-report writes none. The summary says where it is.\n"
                 "Exit status: 0 every node ok and the report complete and durable, 1 the run failed or\n"
                 "the report is incomplete, 2 usage or configuration error, 130 / 143 stopped by\n"
                 "SIGINT / SIGTERM (a second Ctrl-C ends every process at once).\n\n"
              << options << "\n";
    return kExitOk;
  }
  po::notify(vm);
  const auto workers = count_flag(vm, "workers", 1, kMaxWorkers);
  const auto concurrency = count_flag(vm, "concurrency", 0, kMaxConcurrency);
  const auto progress_interval = seconds_flag(vm, "progress-interval", 0.1, 3600);
  JobSpec spec = run_job_spec(vm);
  check_inputs(spec);
  const std::string report = choose_report(vm, spec);
  // The sink opens and locks the report; what can be seen from here fails before anything starts.
  if (!report.empty()) check_report_path(report, vm.count("force") > 0);

  std::string keys = vm.count("keys") ? vm["keys"].as<std::string>() : spec.get("job", "keys");
  if (!keys.empty()) keys = std::filesystem::absolute(keys).string();
  if (keys.empty() && (vm.count("require-auth") || spec.get("job", "require_auth") == "true"))
    throw ConfigError("authentication is required (--require-auth) but no keys were given (--keys DIR)");
  if (!keys.empty()) spec.set("job", "keys", keys);

  TemporaryFolder folder;
  const std::string exe = self_executable();
  const std::string broker_address = "ipc://" + folder.path + "/broker";
  const std::string sink_address = "ipc://" + folder.path + "/sink";
  const std::string log_level = vm.count("verbose") ? "debug" : "warn";
  set_log_level(log_level);
  auto log = logger("run");

  // The spec goes to the broker in a file: argv limits a single argument to 128 KiB.
  const std::string spec_file = folder.path + "/spec";
  save_spec_file(spec, spec_file);
  // The progress as this process shows it; the broker feeds it the figures.
  const bool terminal = isatty(STDERR_FILENO) != 0;
  const Progress::Mode progress =
      vm.count("quiet") ? Progress::Mode::off : parse_progress_mode(vm["progress"].as<std::string>(), terminal);
  if (progress == Progress::Mode::feed) throw ConfigError("--progress: 'feed' is for `ramify broker`");
  RunConsole console(progress, progress_interval);
  std::vector<std::string> sink_argv{exe, "sink", "--bind", sink_address, "--broker", broker_address,
                                     "--log-level", log_level, "--force", "--colour", terminal ? "always" : "never"};
  if (!report.empty()) sink_argv.insert(sink_argv.end(), {"--report", report});
  if (!vm.count("quiet") && !vm.count("report") && !report.empty())
    std::cerr << "ramify: the report is " << report << " (--report FILE to choose, --no-report for none)\n";
  if (vm.count("quiet")) sink_argv.push_back("--quiet");
  if (!keys.empty()) sink_argv.insert(sink_argv.end(), {"--keys", keys});
  const std::vector<std::string> broker_argv{
      exe, "broker", "--bind", broker_address, "--log-level", log_level, "--spec-file", spec_file, "--progress",
      progress == Progress::Mode::off ? "off" : "feed"};

  on_stop_signal([](int signal) {
    g_stop_signal = signal;
    g_stop_signals.fetch_add(1);
  });
  setenv(kStopWithParentVariable, std::to_string(getpid()).c_str(), 1);
  // The broker binds first, so that the sink's subscription to it is up at once.
  RunProcesses run{DaemonProcess(broker_argv, console.pipes(RunConsole::Rank::broker), true),
                   DaemonProcess(sink_argv, console.pipes(RunConsole::Rank::sink), true), {}};
  for (std::uint64_t i = 0; i < workers; ++i) {
    std::vector<std::string> argv{exe, "worker", "--broker", broker_address, "--sink", sink_address, "--concurrency",
                                  std::to_string(concurrency), "--connect-timeout", "30",
                                  "--log-level", log_level};
    if (!keys.empty()) argv.insert(argv.end(), {"--keys", keys});
    run.workers.emplace_back(std::move(argv), console.pipes(RunConsole::Rank::worker), true);
  }
  unsetenv(kStopWithParentVariable);
  console.close_child_ends();
  console.start();

  int signals_handled = 0;
  std::optional<std::chrono::steady_clock::time_point> sink_left_at;
  std::optional<int> status;
  while (!(status = run.broker.poll())) {
    const int signals = g_stop_signals.load();
    if (signals != signals_handled) {
      if (signals_handled > 0 || signals >= 2) {  // a second Ctrl-C: everything ends now
        console.error("ramify: " + StopRequest::signal_text(g_stop_signal) + " again: ending every process now\n");
        run.kill_all();
        return 128 + g_stop_signal;
      }
      run.broker.signal(g_stop_signal);  // the broker stops the run in order
      signals_handled = signals;
    }
    // A sink that concluded leaves just before the broker; one that ended
    // otherwise (killed, refused its report) leaves no report to finish.
    const auto sink_status = run.sink.poll();
    if (sink_status && !sink_left_at) sink_left_at = std::chrono::steady_clock::now();
    const bool sink_concluded = sink_status && (*sink_status == kExitOk || *sink_status == kExitFailed);
    if (sink_status && (!sink_concluded || std::chrono::steady_clock::now() - *sink_left_at > std::chrono::seconds(5))) {
      run.kill_all();
      console.finish();  // every line of the daemons first: this one is the last
      if (*sink_status != kExitUsage)
        std::cerr << "ramify: error: the sink ended (" << describe_status(*sink_status)
                  << ") before the run did; stopping the run: the report is incomplete\n";
      return *sink_status == kExitUsage ? kExitUsage : kExitFailed;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  log->debug("the broker exited with status {}", *status);
  if (*status == kExitUsage) {  // a configuration error: the others have nothing to wait for
    run.kill_all();
    return kExitUsage;
  }
  run.wait_for_the_rest(log);
  console.finish();
  log->debug("every process of the run exited");
  if (*status > 128) return *status;  // stopped by a signal
  return *status == kExitOk ? kExitOk : kExitFailed;
}

}  // namespace ramify
