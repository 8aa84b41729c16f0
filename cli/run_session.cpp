// The part of `ramify run` that `ramify slurm` shares (see run_session.hpp).

#include "cli/run_session.hpp"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include "cli/commands.hpp"
#include "cli/daemon_process.hpp"
#include "cli/html_option.hpp"
#include "cli/job_options.hpp"
#include "cli/number_flags.hpp"
#include "cli/run_console.hpp"
#include "cli/run_options.hpp"
#include "dashboard/dashboard_server.hpp"
#include "curators/curator_factory.hpp"
#include "hierarchy/source_factory.hpp"
#include "html_report/html_report.hpp"
#include "metrics/metrics_endpoint.hpp"
#include "sink/postgresql_report.hpp"
#include "sink/report_file.hpp"
#include "util/errors.hpp"
#include "util/host_name.hpp"
#include "util/host_port.hpp"
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

struct RunSession::Impl {
  JobSpec spec;
  std::string report;
  std::string keys;
  std::string log_level;
  bool quiet = false;
  TemporaryFolder folder;
  std::optional<RunConsole> console;
  std::optional<RunProcesses> run;
  std::string broker_address, sink_address;
  std::string metrics;  // --metrics HOST:PORT ("" = none)
  std::string html;     // --html FILE ("" = none)
  std::string http;        // --http HOST:PORT ("" = no dashboard)
  std::string http_token;  // with keys: the dashboard's token (to the broker in RAMIFY_HTTP_TOKEN, not in argv)
  bool replace_report = false;  // --force
  std::shared_ptr<spdlog::logger> log;
};

RunSession::RunSession(const po::variables_map& vm) : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.spec = run_job_spec(vm);
  check_inputs(s.spec);
  s.report = choose_report(vm, s.spec);
  // The sink opens and locks the report; what can be seen from here fails before anything starts.
  s.replace_report = vm.count("force") > 0;
  if (!s.report.empty()) check_report_path(s.report, s.replace_report);

  s.keys = vm.count("keys") ? vm["keys"].as<std::string>() : s.spec.get("job", "keys");
  if (!s.keys.empty()) s.keys = std::filesystem::absolute(s.keys).string();
  if (s.keys.empty() && (vm.count("require-auth") || s.spec.get("job", "require_auth") == "true"))
    throw ConfigError("authentication is required (--require-auth) but no keys were given (--keys DIR)");
  if (!s.keys.empty()) s.spec.set("job", "keys", s.keys);
  if (vm.count("html")) {
    s.html = vm["html"].as<std::string>();
    if (s.report.empty()) throw ConfigError("--html needs a report to make it from (not --no-report)");
    check_html_path(s.html, vm.count("force") > 0);
  }
  if (vm.count("metrics")) {
    s.metrics = vm["metrics"].as<std::string>();
    metrics_address_plus(s.metrics, 0);  // malformed: a usage error before anything starts
  }

  if (vm.count("http")) {
    s.http = vm["http"].as<std::string>();
    const HostPort where = parse_host_port(s.http, "--http");  // malformed: a usage error before anything starts
    if (!s.keys.empty()) s.http_token = random_token();
    if (!vm.count("quiet"))
      std::cerr << "ramify: the dashboard is on "
                << (where.port == 0 ? "a port of the kernel's choosing (logged with --verbose)"
                                    : "http://" + (where.host == "*" ? host_name() : where.host) + ":" +
                                          std::to_string(where.port) + "/" +
                                          (s.http_token.empty() ? "" : "?token=" + s.http_token))
                << " while the run lasts\n";
  }

  s.log_level = vm.count("verbose") ? "debug" : "warn";
  set_log_level(s.log_level);
  s.log = logger("run");
  s.quiet = vm.count("quiet") > 0;
  // The progress as this process shows it; the broker feeds it the figures.
  const bool terminal = isatty(STDERR_FILENO) != 0;
  const Progress::Mode progress =
      s.quiet ? Progress::Mode::off : parse_progress_mode(vm["progress"].as<std::string>(), terminal);
  if (progress == Progress::Mode::feed) throw ConfigError("--progress: 'feed' is for `ramify broker`");
  s.console.emplace(progress, seconds_flag(vm, "progress-interval", 0.1, 3600));
  if (!s.quiet && !vm.count("report") && !s.report.empty())
    std::cerr << "ramify: the report is " << s.report << " (--report FILE to choose, --no-report for none)\n";
  if (!s.metrics.empty() && !s.quiet)
    std::cerr << "ramify: Prometheus metrics on " << s.metrics << " (the broker)"
              << (s.metrics.ends_with(":0") ? "; every daemon on a port of its own, logged with --verbose\n"
                                            : ", the next port (the sink) and the ones after it (workers)\n");
}

RunSession::~RunSession() = default;

const JobSpec& RunSession::spec() const { return impl_->spec; }
const std::string& RunSession::keys() const { return impl_->keys; }
const std::string& RunSession::log_level() const { return impl_->log_level; }
const std::string& RunSession::folder() const { return impl_->folder.path; }

std::vector<std::string> RunSession::metrics_args(unsigned offset) const {
  if (impl_->metrics.empty()) return {};
  return {"--metrics", metrics_address_plus(impl_->metrics, offset)};
}

void RunSession::start(const std::string& broker_bind, const std::string& sink_bind,
                       const std::string& broker_address, const std::vector<std::string>& broker_args) {
  Impl& s = *impl_;
  const std::string exe = self_executable();
  const bool terminal = isatty(STDERR_FILENO) != 0;
  // The spec goes to the broker in a file: argv limits a single argument to 128 KiB.
  const std::string spec_file = s.folder.path + "/spec";
  save_spec_file(s.spec, spec_file);
  std::vector<std::string> sink_argv{exe, "sink", "--bind", sink_bind, "--broker", broker_address,
                                     "--log-level", s.log_level, "--colour", terminal ? "always" : "never"};
  // A report file was checked here already (an existing one refused unless
  // --force); a PostgreSQL table is checked by the sink when it connects.
  if (s.replace_report || !is_postgresql_address(s.report)) sink_argv.push_back("--force");
  if (!s.report.empty()) sink_argv.insert(sink_argv.end(), {"--report", s.report});
  if (s.quiet) sink_argv.push_back("--quiet");
  if (!s.keys.empty()) sink_argv.insert(sink_argv.end(), {"--keys", s.keys});
  if (const std::string state = s.spec.get("job", "state"); !state.empty())
    sink_argv.insert(sink_argv.end(), {"--state", std::filesystem::absolute(state).string()});
  for (const auto& arg : metrics_args(1)) sink_argv.push_back(arg);
  std::vector<std::string> broker_argv{
      exe, "broker", "--bind", broker_bind, "--log-level", s.log_level, "--spec-file", spec_file, "--progress",
      s.console->mode() == Progress::Mode::off ? "off" : "feed"};
  broker_argv.insert(broker_argv.end(), broker_args.begin(), broker_args.end());
  for (const auto& arg : metrics_args(0)) broker_argv.push_back(arg);
  if (!s.http.empty()) broker_argv.insert(broker_argv.end(), {"--http", s.http});

  on_stop_signal([](int signal) {
    g_stop_signal = signal;
    g_stop_signals.fetch_add(1);
  });
  setenv(kStopWithParentVariable, std::to_string(getpid()).c_str(), 1);
  if (!s.http_token.empty()) setenv(kHttpTokenVariable, s.http_token.c_str(), 1);
  // The broker binds first, so that the sink's subscription to it is up at once.
  s.run.emplace(RunProcesses{DaemonProcess(broker_argv, s.console->pipes(RunConsole::Rank::broker), true),
                             DaemonProcess(sink_argv, s.console->pipes(RunConsole::Rank::sink), true), {}});
  unsetenv(kStopWithParentVariable);
  unsetenv(kHttpTokenVariable);
}

void RunSession::add_worker(const std::vector<std::string>& args) {
  Impl& s = *impl_;
  std::vector<std::string> argv{self_executable(), "worker"};
  argv.insert(argv.end(), args.begin(), args.end());
  setenv(kStopWithParentVariable, std::to_string(getpid()).c_str(), 1);
  s.run->workers.emplace_back(std::move(argv), s.console->pipes(RunConsole::Rank::worker), true);
  unsetenv(kStopWithParentVariable);
}

void RunSession::say(const std::string& text) { impl_->console->error(text); }

int RunSession::wait(const std::function<bool()>& each_turn) {
  Impl& s = *impl_;
  RunProcesses& run = *s.run;
  RunConsole& console = *s.console;
  console.close_child_ends();
  console.start();

  int signals_handled = 0;
  bool gave_up = false;
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
    if (each_turn && !gave_up && !each_turn()) {
      gave_up = true;
      run.broker.signal(SIGTERM);
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
  s.log->debug("the broker exited with status {}", *status);
  if (*status == kExitUsage) {  // a configuration error: the others have nothing to wait for
    run.kill_all();
    return kExitUsage;
  }
  run.wait_for_the_rest(s.log);
  console.finish();
  s.log->debug("every process of the run exited");
  const int result = *status > 128 ? *status  // stopped by a signal
                     : gave_up || *status != kExitOk ? kExitFailed
                                                      : kExitOk;
  return s.html.empty() ? result : write_html(result);
}

// The HTML report of what the report holds, whatever the run's end; a run
// that succeeded but whose HTML report cannot be written fails (exit 1).
int RunSession::write_html(int status) {
  const Impl& s = *impl_;
  if (!is_postgresql_address(s.report) && !std::filesystem::exists(s.report)) {
    std::cerr << "ramify: no HTML report: the run wrote no report\n";
    return status;
  }
  try {
    write_html_report(s.report, s.html);
  } catch (const std::exception& e) {
    std::cerr << "ramify: error: " << e.what() << "\n";
    return status == kExitOk ? kExitFailed : status;
  }
  if (status == kExitOk && !s.quiet) std::cerr << "html report: " << s.html << "\n";
  return status;
}

}  // namespace ramify
