// `ramify status`: the state of a run, from its broker, or of a sink. It is
// also the daemons' health check: exit 0 when the daemon answered, 1 when not.

#include <boost/program_options.hpp>
#include <cmath>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/number_flags.hpp"
#include "net/address.hpp"
#include "net/config_client.hpp"
#include "net/security.hpp"
#include "spdlog/fmt/fmt.h"
#include "util/errors.hpp"
#include "protocol/status_json.hpp"
#include "util/json_text.hpp"

namespace po = boost::program_options;

namespace ramify {
namespace {

void print_broker(const StatusReply& s) {
  std::cout << fmt::format("run {}: {}, {:.1f} s\n", s.run_id, to_string(s.state), s.elapsed_seconds);
  std::cout << fmt::format("assignments: {}", s.assignments);
  std::string sep = " (";
  for (const auto& [state, count] : s.assignments_by_state) {
    if (count == 0) continue;
    std::cout << sep << state << " " << count;
    sep = ", ";
  }
  std::cout << (sep == ", " ? ")" : "") << "\n";
  std::cout << fmt::format("nodes: {} curated (ok {}, failed {}, skipped {})\n", s.nodes, nodes_ok(s), s.nodes_failed,
                           s.nodes_skipped);
  if (s.run_failures > 0)
    std::cout << fmt::format("failures: {} ({} of nodes, {} of the run: quarantined assignments, its finalize)\n",
                             s.failures, s.nodes_failed, s.run_failures);
  std::cout << fmt::format("workers: {} alive of {}\n", s.workers_alive, s.workers.size());
  for (const WorkerInfo& w : s.workers)
    std::cout << fmt::format("  {:<28} host {:<12} pid {:<7} slots {:<3} running {:<3} heard {:.1f} s ago  {}\n", w.id,
                             w.host, w.pid, w.slots, w.running, static_cast<double>(w.last_seen_ms) / 1000.0,
                             w.alive ? "alive" : "dead (" + w.lost_reason + ")");
  std::cout << "first failure: " << (s.first_failure.empty() ? "none" : s.first_failure) << "\n";
}

void print_sink(const SinkStatusReply& s, bool json) {
  if (json) {
    JsonObject workers;
    for (const auto& [worker, count] : s.records_by_worker) workers.field(worker, count);
    JsonObject out;
    out.field("run", s.run_id)
        .field("records", s.records)
        .raw("records_by_worker", workers.str())
        .field("report", s.report)
        .field("tailers", s.tailers)
        .field("finished", s.finished);
    std::cout << out.str() << "\n";
    return;
  }
  std::cout << fmt::format("sink of run {}: {} record(s), report {}, {} tailer(s){}\n",
                           s.run_id.empty() ? "(not known yet)" : s.run_id, s.records,
                           s.report.empty() ? "(none)" : s.report, s.tailers, s.finished ? ", run finished" : "");
  for (const auto& [worker, count] : s.records_by_worker) std::cout << "  " << worker << ": " << count << "\n";
}

void print_worker(const WorkerStatusReply& s, bool json) {
  if (json) {
    JsonObject out;
    out.field("worker", s.worker_id)
        .field("run", s.run_id)
        .field("slots", static_cast<std::uint64_t>(s.slots))
        .field("running", static_cast<std::uint64_t>(s.running))
        .field("broker_silent_ms", s.broker_silent_ms)
        .field("orphaned", s.orphaned)
        .field("last_seq", s.last_seq)
        .field("acked_seq", s.acked_seq);
    std::cout << out.str() << "\n";
    return;
  }
  std::cout << fmt::format("worker {} of run {}: {} of {} slot(s) busy, broker heard {:.1f} s ago{}, records {} "
                           "(acknowledged {})\n",
                           s.worker_id, s.run_id, s.running, s.slots, static_cast<double>(s.broker_silent_ms) / 1000.0,
                           s.orphaned ? " (waiting for it)" : "", s.last_seq, s.acked_seq);
}

}  // namespace

int status_command(const Arguments& args) {
  po::options_description options("ramify status options");
  options.add_options()("help,h", "show this help")
      ("broker", po::value<std::string>(), "the broker: HOST[:PORT_BASE] or ipc://PREFIX")
      ("sink", po::value<std::string>(), "the sink: HOST[:PORT_BASE] or ipc://PREFIX")
      ("worker", po::value<std::string>(), "a worker's status endpoint (its --status)")
      ("json", "one JSON object, for scripts")
      ("timeout", po::value<std::string>()->default_value("2"), "seconds to wait for the answer (0.1 to 3600)")
      ("keys", po::value<std::string>(), "CURVE keys folder: client.key and the daemon's .pub");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).run(), vm);
  po::notify(vm);
  if (vm.count("help") || vm.count("broker") + vm.count("sink") + vm.count("worker") != 1) {
    std::cout << "Usage: ramify status --broker HOST [--json]   (or --sink HOST, or --worker ENDPOINT)\n"
                 "Prints the run: its workers (host, slots, last heartbeat), assignments by state, nodes by\n"
                 "status, the first failure. Exit status 0 when the daemon answered, 1 when it did not:\n"
                 "this is the daemons' health check.\n\n"
              << options << "\n";
    return vm.count("help") ? kExitOk : kExitUsage;
  }
  const bool json = vm.count("json") > 0;
  const auto timeout = seconds_flag(vm, "timeout", 0.1, 3600);
  zmq::context_t context(1);
  const Security security(vm.count("keys") ? vm["keys"].as<std::string>() : "", "client");
  try {
    if (vm.count("broker")) {
      const Address broker = Address::parse(vm["broker"].as<std::string>(), kBrokerPortBase);
      ConfigClient client(context, broker.endpoint(kConfigPort, "config"), timeout, 1, security.client_of_broker(),
                          "broker");
      StatusReply reply = client.call<StatusReply>(StatusRequest{});
      if (json) {
        std::cout << status_json(reply) << "\n";
      } else {
        print_broker(reply);
      }
    } else if (vm.count("worker")) {
      ConfigClient client(context, vm["worker"].as<std::string>(), timeout, 1, std::nullopt, "worker");
      print_worker(client.call<WorkerStatusReply>(StatusRequest{}), json);
    } else {
      const Address sink = Address::parse(vm["sink"].as<std::string>(), kSinkPortBase);
      ConfigClient client(context, sink.endpoint(kSinkStatusPort, "status"), timeout, 1, security.client_of_sink(),
                          "sink");
      print_sink(client.call<SinkStatusReply>(StatusRequest{}), json);
    }
  } catch (const TimeoutError& e) {  // no answer
    std::cerr << "ramify status: " << e.what() << "\n";
    return kExitFailed;
  } catch (const ConfigError& e) {  // an answer that says no: a refused key, a request it may not make
    std::cerr << "ramify status: " << e.what() << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace ramify
