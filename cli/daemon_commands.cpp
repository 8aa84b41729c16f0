// `ramify broker`, `ramify worker` and `ramify sink`: one daemon each, in the foreground.

#include <unistd.h>

#include <atomic>
#include <boost/program_options.hpp>
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <set>

#include "broker/broker.hpp"
#include "cli/commands.hpp"
#include "cli/daemon_process.hpp"
#include "cli/job_options.hpp"
#include "cli/nanny.hpp"
#include "cli/number_flags.hpp"
#include "cli/split_words.hpp"
#include "curators/curator_factory.hpp"
#include "ramify/carry.hpp"
#include "sink/sink.hpp"
#include "slots/fork_server.hpp"
#include "util/duration.hpp"
#include "util/errors.hpp"
#include "util/logging.hpp"
#include "worker/worker.hpp"

namespace po = boost::program_options;

namespace ramify {
namespace {

// Runs a daemon in the foreground; SIGINT and SIGTERM call its request_stop().
template <class Daemon>
int run_in_foreground(Daemon& daemon) {
  static std::atomic<Daemon*> running{nullptr};
  running = &daemon;
  on_stop_signal([](int signal) {
    if (Daemon* d = running.load()) d->request_stop(signal);
  });
  int status = daemon.run();
  running = nullptr;
  return status;
}

// Waits and timeouts of the daemons: up to about 115 days.
std::chrono::milliseconds seconds_option(const po::variables_map& vm, const char* name) {
  return seconds_flag(vm, name, 0, kMaxSeconds);
}

// Parses `args` against `options`; prints help and returns false for --help.
// Options a daemon also takes from the environment (RAMIFY_BROKER for
// --broker...), for containers; the command line wins. Only these, so that
// the RAMIFY_* variables exec commands see never configure a nested ramify.
const std::set<std::string> kEnvironmentOptions{"config", "bind", "broker", "sink", "concurrency", "log-level",
                                                "connect-timeout", "broker-wait", "report", "status", "progress",
                                                "keys", "metrics", "http", "state"};

bool parse(const Arguments& args, const po::options_description& options, po::variables_map& vm,
           const char* usage) {
  po::store(po::command_line_parser(args).options(options).run(), vm);
  po::store(po::parse_environment(options,
                                  [&](const std::string& variable) -> std::string {
                                    if (variable.rfind("RAMIFY_", 0) != 0) return {};
                                    std::string name = variable.substr(7);
                                    for (char& c : name) c = c == '_' ? '-' : static_cast<char>(std::tolower(c));
                                    if (!kEnvironmentOptions.count(name)) return {};
                                    return options.find_nothrow(name, false) ? name : std::string();
                                  }),
            vm);
  if (vm.count("help")) {
    std::cout << usage << "\n\n" << options << "\n"
              << "Options marked for containers may also come from RAMIFY_<OPTION> environment variables\n"
                 "(RAMIFY_BROKER, RAMIFY_SINK, RAMIFY_CONCURRENCY, RAMIFY_BIND, RAMIFY_REPORT, RAMIFY_CONFIG,\n"
                 "RAMIFY_LOG_LEVEL, ...); the command line wins.\n";
    return false;
  }
  po::notify(vm);
  if (vm.count("log-level")) set_log_level(vm["log-level"].as<std::string>());
  return true;
}

// "HOST" + --port-base N -> "HOST:N"; an explicit port or an ipc:// address wins.
// A block is four ports (N to N+3).
std::string with_port_base(const std::string& address, const po::variables_map& vm) {
  if (!vm.count("port-base")) return address;
  const auto base = count_flag(vm, "port-base", 1, 65532);
  if (address.rfind("ipc://", 0) == 0 || address.find(':') != std::string::npos) return address;
  return address + ":" + std::to_string(base);
}

}  // namespace

int broker_command(const Arguments& args) {
  po::options_description options("ramify broker options");
  options.add_options()("help,h", "show this help")
      ("bind", po::value<std::string>()->default_value("*"), "address to bind: HOST[:PORT_BASE] or ipc://PREFIX")
      ("port-base", po::value<std::string>(), "first port of the broker's block, 1 to 65532 (default 5550)")
      ("report-timeout", po::value<std::string>()->default_value("30"), "seconds to wait at the end for the sink's confirmation that the report is complete")
      ("sink-timeout", po::value<std::string>()->default_value("60"), "seconds to wait at the start for a sink to join; nothing is dispatched before one has")
      ("no-sink", "run without a sink: no report is written, and the run's status does not depend on one")
      ("worker-wait", po::value<std::string>()->default_value("600"), "seconds the run may have no live worker while work is left before it fails (1 to 10000000)")
      ("progress", po::value<std::string>()->default_value("off"), "auto | line | plain | off: progress on standard error (feed: figures on standard output, for ramify run)")
      ("keys", po::value<std::string>(), "CURVE keys folder (ramify keygen): every socket authenticated and encrypted")
      ("require-auth", "refuse to start without keys")
      ("progress-interval", po::value<std::string>()->default_value("5"), "seconds between plain progress lines (0.1 to 3600)")
      ("metrics", po::value<std::string>(), "serve Prometheus metrics on HOST:PORT (/metrics; port 0: any free port, logged)")
      ("http", po::value<std::string>(), "serve the live dashboard on HOST:PORT (127.0.0.1:PORT: this machine only; port 0: any free port, logged); with keys it requires a token: $RAMIFY_HTTP_TOKEN, else a random one, logged in its address")
      ("log-level", po::value<std::string>(), "debug | info | warn | error | off");
  add_job_options(options);
  refuse_split_values(args);
  po::variables_map vm;
  if (!parse(args, options, vm,
             "Usage: ramify broker [--config JOB.ini] [--root DIR | --manifest FILE] [options]\n"
             "Partitions the hierarchy, hands assignments to workers, serves the job spec,\n"
             "and exits with the run's status: 0 every node ok and a sink confirmed the report\n"
             "complete and durable, 1 failed, 2 configuration error, 128+N stopped by signal N."))
    return kExitOk;
  BrokerOptions broker_options;
  broker_options.spec = job_spec_from(vm);
  {
    // The curator's own configuration is checked before any worker sees it.
    const auto curator = make_curator(broker_options.spec);
    const auto* aware = dynamic_cast<const CarryAware*>(curator.get());
    broker_options.carried_fields = aware && aware->rolls_up();
  }
  if (broker_options.spec.find("job", "report") && !vm.count("spec-file"))  // --spec-file: from ramify run, which writes it
    logger("broker")->warn("[job] report is written only by `ramify run`; a broker's report is its sink's "
                           "(ramify sink --report FILE)");
  broker_options.bind = with_port_base(vm["bind"].as<std::string>(), vm);
  broker_options.report_timeout = seconds_option(vm, "report-timeout");
  broker_options.sink_timeout = seconds_option(vm, "sink-timeout");
  broker_options.no_sink = vm.count("no-sink") > 0;
  broker_options.worker_wait = seconds_flag(vm, "worker-wait", 1, kMaxSeconds);
  if (broker_options.report_timeout.count() <= 0 && !broker_options.no_sink)
    throw ConfigError("--report-timeout must be more than 0 (to run without a sink, say --no-sink)");
  broker_options.progress = parse_progress_mode(vm["progress"].as<std::string>(), isatty(STDERR_FILENO) != 0);
  broker_options.progress_interval = seconds_flag(vm, "progress-interval", 0.1, 3600);
  if (vm.count("keys")) broker_options.keys = vm["keys"].as<std::string>();
  broker_options.require_auth = vm.count("require-auth") > 0;
  if (vm.count("metrics")) broker_options.metrics = vm["metrics"].as<std::string>();
  if (vm.count("http")) broker_options.http = vm["http"].as<std::string>();
  if (const char* token = std::getenv(kHttpTokenVariable)) broker_options.http_token = token;
  Broker broker(std::move(broker_options));
  return run_in_foreground(broker);
}

int worker_command(const Arguments& args) {
  po::options_description options("ramify worker options");
  options.add_options()("help,h", "show this help")
      ("broker", po::value<std::string>()->required(), "the broker: HOST[:PORT_BASE] or ipc://PREFIX")
      ("sink", po::value<std::string>(), "the sink: HOST[:PORT_BASE] or ipc://PREFIX (default: the job's [job] sink, else the broker's host)")
      ("concurrency,j", po::value<std::string>()->default_value("0"), "slots, 0 to 1024 (0: one per core)")
      ("id", po::value<std::string>()->default_value(""), "the worker's name (default: the host name); its id is NAME-PID-RANDOM, unique to the process")
      ("connect-timeout", po::value<std::string>()->default_value("60"), "seconds to keep trying to reach the broker at start")
      ("flush-timeout", po::value<std::string>()->default_value("10"), "at the end, seconds to wait while the sink acknowledges nothing")
      ("broker-wait", po::value<std::string>()->default_value("60"), "seconds to wait for a broker that fell silent to come back")
      ("drain-timeout", po::value<std::string>()->default_value("30"), "after SIGTERM (a drain), seconds the running assignments go on before the rest of each is handed back after its node in progress (which is interrupted after twice this long)")
      ("max-lifetime", po::value<std::string>(), "drain in time to be gone after this long (90s, 30m, 12h; a batch job's walltime): the drain starts 2 x --drain-timeout before it")
      ("status", po::value<std::string>(), "an endpoint where the worker answers status requests (ipc://PATH or tcp://HOST:PORT), for health checks")
      ("keys", po::value<std::string>(), "CURVE keys folder (ramify keygen): worker.key, broker.pub, sink.pub")
      ("key", po::value<std::string>(), "this worker's own key file, when it is not KEYS/worker.key (e.g. keys/hostb.key)")
      ("nanny", "run under a supervisor that restarts the worker when it dies")
      ("metrics", po::value<std::string>(), "serve Prometheus metrics on HOST:PORT (/metrics; port 0: any free port, logged)")
      ("log-level", po::value<std::string>(), "debug | info | warn | error | off");
  po::variables_map vm;
  if (!parse(args, options, vm,
             "Usage: ramify worker --broker HOST [--sink HOST] [--concurrency N]\n"
             "Fetches the job spec from the broker and curates the assignments it hands out.\n"
             "SIGTERM drains the worker (no new work, the rest handed back, exit 0); SIGINT or a second\n"
             "SIGTERM stops it at once.\n"
             "Exit status: 0 finished or drained (the sink has every record), 1 the run was aborted, 2\n"
             "configuration error, 3 lost the broker, 4 the sink did not acknowledge every record, 128+N signal N."))
    return kExitOk;
  WorkerOptions worker_options;
  worker_options.broker = vm["broker"].as<std::string>();
  if (vm.count("sink")) worker_options.sink = vm["sink"].as<std::string>();
  worker_options.concurrency = static_cast<unsigned>(count_flag(vm, "concurrency", 0, kMaxConcurrency));
  worker_options.name = vm["id"].as<std::string>();
  worker_options.connect_timeout = seconds_option(vm, "connect-timeout");
  worker_options.flush_timeout = seconds_option(vm, "flush-timeout");
  worker_options.broker_wait = seconds_option(vm, "broker-wait");
  worker_options.drain_timeout = seconds_option(vm, "drain-timeout");
  if (vm.count("max-lifetime")) {
    worker_options.max_lifetime = parse_duration(vm["max-lifetime"].as<std::string>(), "--max-lifetime");
    if (worker_options.max_lifetime <= 2 * worker_options.drain_timeout)
      throw ConfigError("--max-lifetime must be longer than twice --drain-timeout (" +
                        std::to_string(worker_options.drain_timeout.count() / 1000) +
                        " s): the drain starts that long before it");
  }
  if (vm.count("status")) worker_options.status_endpoint = vm["status"].as<std::string>();
  if (vm.count("keys")) worker_options.keys = vm["keys"].as<std::string>();
  if (vm.count("key")) worker_options.key_file = vm["key"].as<std::string>();
  if (vm.count("metrics")) worker_options.metrics = vm["metrics"].as<std::string>();
  if (vm.count("nanny")) {
    Arguments without_nanny;
    for (const auto& arg : args)
      if (arg != "--nanny") without_nanny.push_back(arg);
    return run_nanny(without_nanny);
  }
  // Before any ZMQ context or thread exists: slot processes are forked from it.
  auto fork_server = ForkServer::start();
  worker_options.fork_server = fork_server.get();
  Worker worker(std::move(worker_options));
  return run_in_foreground(worker);
}

int sink_command(const Arguments& args) {
  po::options_description options("ramify sink options");
  options.add_options()("help,h", "show this help")
      ("bind", po::value<std::string>()->default_value("*"), "address to bind: HOST[:PORT_BASE] or ipc://PREFIX")
      ("port-base", po::value<std::string>(), "first port of the sink's block, 1 to 65532 (default 5560)")
      ("broker", po::value<std::string>(), "the broker: the sink ends with its run and confirms the report")
      ("report,o", po::value<std::string>(), "the report, its format by extension: .jsonl (JSON Lines), .csv, or .db, .sqlite, .sqlite3 (SQLite), or a postgresql:// address (README); without it, none is written")
      ("force", "replace an existing report")
      ("append", "continue an existing report (a restarted sink: rows already there are not written again)")
      ("state", po::value<std::string>(), "the job's state store ([job] state): keeps every node's rows and carries over those a rerun does not curate again")
      ("quiet,q", "no line per log record on standard error")
      ("colour", po::value<std::string>()->default_value("auto"), "auto | always | never: colour the lines (auto: on a terminal)")
      ("drain-timeout", po::value<std::string>()->default_value("10"), "seconds to wait for missing records after the run (and for the run's end after SIGTERM)")
      ("broker-wait", po::value<std::string>()->default_value("60"), "seconds the broker may stay silent before the sink ends with an incomplete report")
      ("keys", po::value<std::string>(), "CURVE keys folder (ramify keygen): sink.key, broker.pub, allowed/")
      ("require-auth", "refuse to start without keys")
      ("metrics", po::value<std::string>(), "serve Prometheus metrics on HOST:PORT (/metrics; port 0: any free port, logged)")
      ("log-level", po::value<std::string>(), "debug | info | warn | error | off");
  po::variables_map vm;
  if (!parse(args, options, vm,
             "Usage: ramify sink [--bind HOST] [--broker HOST] [--report FILE]\n"
             "Receives every worker's log records, writes the report and prints the run summary.\n"
             "Exit status: 0 the run succeeded and its report is complete and durable, 1 the run failed\n"
             "or the report is incomplete (the summary says why), 2 configuration error, 128+N signal N."))
    return kExitOk;
  SinkOptions sink_options;
  sink_options.bind = with_port_base(vm["bind"].as<std::string>(), vm);
  if (vm.count("broker")) sink_options.broker = vm["broker"].as<std::string>();
  if (vm.count("report")) sink_options.report = vm["report"].as<std::string>();
  sink_options.force = vm.count("force") > 0;
  sink_options.append = vm.count("append") > 0;
  if (vm.count("state")) sink_options.state = vm["state"].as<std::string>();
  sink_options.quiet = vm.count("quiet") > 0;
  const std::string colour = vm["colour"].as<std::string>();
  if (colour != "auto" && colour != "always" && colour != "never")
    throw ConfigError("--colour: '" + colour + "' is not auto, always or never");
  sink_options.colour = colour == "always" || (colour == "auto" && isatty(STDERR_FILENO) != 0);
  sink_options.drain_timeout = seconds_option(vm, "drain-timeout");
  sink_options.broker_wait = seconds_option(vm, "broker-wait");
  if (vm.count("keys")) sink_options.keys = vm["keys"].as<std::string>();
  sink_options.require_auth = vm.count("require-auth") > 0;
  if (vm.count("metrics")) sink_options.metrics = vm["metrics"].as<std::string>();
  Sink sink(std::move(sink_options));
  return run_in_foreground(sink);
}

}  // namespace ramify
