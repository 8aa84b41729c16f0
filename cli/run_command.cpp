// `ramify run`: broker, sink and N workers as processes of this binary on
// ipc:// endpoints in a private temporary folder, so that runs can share a machine.

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cli/child_process.hpp"
#include "cli/commands.hpp"
#include "cli/job_options.hpp"
#include "common/errors.hpp"
#include "common/logging.hpp"
#include "common/source_factory.hpp"
#include "worker/curator_factory.hpp"

namespace po = boost::program_options;

namespace ramify {
namespace {

std::atomic<bool> g_interrupted{false};

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

void check_inputs(const JobSpec& spec, const po::variables_map& vm) {
  make_curator(spec);
  const std::string manifest = spec.get("job", "manifest");
  if (!manifest.empty()) {
    if (access(manifest.c_str(), R_OK) != 0) throw SourceError("cannot read manifest " + manifest);
  } else {
    open_source(spec);
  }
  if (vm.count("report") && !vm.count("force")) {
    struct stat st {};
    const std::string report = vm["report"].as<std::string>();
    if (stat(report.c_str(), &st) == 0)
      throw ConfigError("report " + report + " already exists (use --force to replace it)");
  }
}

}  // namespace

int run_command(const Arguments& args) {
  po::options_description options("ramify run options");
  options.add_options()("help,h", "show this help")
      ("workers,w", po::value<unsigned>()->default_value(2), "worker processes")
      ("concurrency,j", po::value<unsigned>()->default_value(0), "slots per worker (0: one per core)")
      ("report,o", po::value<std::string>(), "JSON Lines report to write")
      ("force", "replace an existing report")
      ("quiet,q", "no line per log record, no progress")
      ("progress", po::value<std::string>()->default_value("auto"), "auto | line | plain | off: progress on standard error")
      ("progress-interval", po::value<double>()->default_value(5), "seconds between plain progress lines")
      ("verbose,v", "the daemons' own logs (joins, heartbeats) on standard error")
      ("keys", po::value<std::string>(), "CURVE keys folder (ramify keygen) for every daemon of the run ([job] keys)")
      ("require-auth", "refuse to start without keys");
  add_job_options(options);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).run(), vm);
  if (vm.count("help")) {
    std::cout << "Usage: ramify run --root DIR [--levels L1,L2,...] [--curator NAME] [--exec LEVEL=CMD]...\n"
                 "                  [--workers N] [--report FILE] [--config JOB.ini] [--set section.key=value]...\n"
                 "Runs a broker, a sink and N workers on this machine and curates the hierarchy.\n"
                 "Curators: noop, exec, checksum, inventory, validate, plugin (see the README).\n"
                 "Reports by extension: .jsonl, .csv, .db (SQLite).\n"
                 "Exit status: 0 every node ok, 1 the run failed, 2 usage or configuration error.\n\n"
              << options << "\n";
    return kExitOk;
  }
  po::notify(vm);
  JobSpec spec = job_spec_from(vm);
  check_inputs(spec, vm);
  const unsigned workers = std::max(1u, vm["workers"].as<unsigned>());

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

  std::vector<std::string> sink_argv{exe, "sink", "--bind", sink_address, "--broker", broker_address,
                                     "--log-level", log_level, "--force"};
  if (vm.count("report")) {
    sink_argv.push_back("--report");
    sink_argv.push_back(vm["report"].as<std::string>());
  }
  if (vm.count("quiet")) sink_argv.push_back("--quiet");
  if (!keys.empty()) sink_argv.insert(sink_argv.end(), {"--keys", keys});
  std::vector<std::string> broker_argv{
      exe, "broker", "--bind", broker_address, "--log-level", log_level, "--progress",
      vm.count("quiet") ? "off" : vm["progress"].as<std::string>(), "--progress-interval",
      std::to_string(vm["progress-interval"].as<double>())};
  for (const auto& [key, value] : spec.entries()) {
    broker_argv.push_back("--set");
    broker_argv.push_back(key + "=" + value);
  }

  // The broker binds first, so that the sink's subscription to it is up at once.
  ChildProcess broker(broker_argv);
  ChildProcess sink(sink_argv);
  std::vector<ChildProcess> worker_processes;
  for (unsigned i = 0; i < workers; ++i) {
    std::vector<std::string> argv{exe, "worker", "--broker", broker_address, "--sink", sink_address, "--concurrency",
                                  std::to_string(vm["concurrency"].as<unsigned>()), "--connect-timeout", "30",
                                  "--log-level", log_level};
    if (!keys.empty()) argv.insert(argv.end(), {"--keys", keys});
    worker_processes.emplace_back(std::move(argv));
  }

  on_stop_signal([] { g_interrupted = true; });
  bool forwarded = false;
  std::optional<int> status;
  while (!(status = broker.poll())) {
    if (g_interrupted && !forwarded) {
      broker.signal(SIGTERM);
      forwarded = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  logger("run")->debug("the broker exited with status {}", *status);
  if (*status == kExitUsage) {  // a configuration error: the others have nothing to wait for
    sink.signal(SIGTERM);
    for (auto& worker : worker_processes) worker.signal(SIGTERM);
  }
  // The broker ends after the sink confirmed the report; give the others a moment to leave.
  if (!sink.wait_for(std::chrono::seconds(15))) {
    logger("run")->warn("the sink did not finish; stopping it");
    sink.signal(SIGTERM);
    sink.wait_for(std::chrono::seconds(5));
  }
  logger("run")->debug("the sink exited");
  // Workers leave on their own after the run; one that started too late to
  // join may still be looking for the broker: stop it.
  for (auto& worker : worker_processes) {
    if (!worker.wait_for(std::chrono::milliseconds(200))) worker.signal(SIGTERM);
  }
  for (auto& worker : worker_processes) {
    if (!worker.wait_for(std::chrono::seconds(3))) {
      logger("run")->warn("worker process {} did not leave; killing it", worker.pid());
      worker.signal(SIGKILL);
      worker.wait_for(std::chrono::seconds(2));
    }
  }
  logger("run")->debug("every worker exited");
  if (*status == kExitUsage) return kExitUsage;
  return *status == kExitOk ? kExitOk : kExitFailed;
}

}  // namespace ramify
