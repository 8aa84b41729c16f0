// `ramify run`: broker, sink and N workers as processes of this binary on
// ipc:// endpoints in a private temporary folder, so that runs can share a
// machine. Its exit status is the broker's: 0 only when the sink confirmed a
// complete and durable report. It alone writes to its terminal: the
// daemons' lines come through pipes (see RunConsole).

#include <boost/program_options.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/number_flags.hpp"
#include "cli/run_options.hpp"
#include "cli/run_session.hpp"

namespace po = boost::program_options;

namespace ramify {

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
  RunSession session(vm);
  const std::string broker_address = "ipc://" + session.folder() + "/broker";
  const std::string sink_address = "ipc://" + session.folder() + "/sink";
  session.start(broker_address, sink_address, broker_address);
  for (std::uint64_t i = 0; i < workers; ++i) {
    std::vector<std::string> argv{"--broker", broker_address, "--sink", sink_address, "--concurrency",
                                  std::to_string(concurrency), "--connect-timeout", "30",
                                  "--log-level", session.log_level()};
    if (!session.keys().empty()) argv.insert(argv.end(), {"--keys", session.keys()});
    for (const auto& arg : session.metrics_args(2 + static_cast<unsigned>(i))) argv.push_back(arg);
    session.add_worker(argv);
  }
  return session.wait();
}

}  // namespace ramify
