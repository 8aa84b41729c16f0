// ramify: one executable, one subcommand per role.

#include <boost/program_options/errors.hpp>
#include <iostream>
#include <zmq.hpp>

#include "cli/commands.hpp"
#include "cli/daemon_process.hpp"
#include "util/errors.hpp"
#include "util/heap_tuning.hpp"

namespace {

const char* kUsage =
    "Usage: ramify COMMAND [options]   (ramify COMMAND --help for details)\n"
    "\n"
    "Commands:\n"
    "  run      curate a hierarchy on this machine: broker, sink and workers in one command\n"
    "  plan     what `run` with the same flags would do (levels, exclusions, assignments), curating nothing\n"
    "  slurm    `run` with its workers as one Slurm job array (sbatch), the broker and the sink here\n"
    "  broker   partition the hierarchy and hand assignments to workers\n"
    "  worker   curate the assignments a broker hands out\n"
    "  sink     collect every worker's log records into the report\n"
    "  tail     follow the records the sink writes, with filters\n"
    "  status   the state of a run (a broker) or of a sink; the daemons' health check\n"
    "  report   an HTML run report (summary, timeline, durations, failures) from a report file\n"
    "  keygen   CURVE keys for every daemon, and the allowlist\n"
    "  version  print the version\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace ramify;
  if (argc < 2) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  keep_large_buffers_in_heap();
  const std::string command = argv[1];
  const Arguments args(argv + 2, argv + argc);
  try {
    stop_with_parent();
    if (command == "run") return run_command(args);
    if (command == "plan") return plan_command(args);
    if (command == "slurm") return slurm_command(args);
    if (command == "broker") return broker_command(args);
    if (command == "worker") return worker_command(args);
    if (command == "sink") return sink_command(args);
    if (command == "tail") return tail_command(args);
    if (command == "status") return status_command(args);
    if (command == "keygen") return keygen_command(args);
    if (command == "report") return report_command(args);
    if (command == "version" || command == "--version") {
      std::cout << "ramify " << RAMIFY_VERSION << "\n";
      return kExitOk;
    }
    if (command == "help" || command == "--help" || command == "-h") {
      std::cout << kUsage;
      return kExitOk;
    }
    std::cerr << "ramify: unknown command '" << command << "'\n" << kUsage;
    return kExitUsage;
  } catch (const ConfigError& e) {
    std::cerr << "ramify: error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const SourceError& e) {
    std::cerr << "ramify: error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const boost::program_options::error& e) {
    std::cerr << "ramify: error: " << e.what() << " (see ramify " << command << " --help)\n";
    return kExitUsage;
  } catch (const TimeoutError& e) {
    std::cerr << "ramify: error: " << e.what() << "\n";
    return kExitFailed;
  } catch (const zmq::error_t& e) {
    std::cerr << "ramify: error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "ramify: error: " << e.what() << "\n";
    return kExitFailed;
  }
}
