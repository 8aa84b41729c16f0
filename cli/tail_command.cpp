// `ramify tail`: follows the sink's republished stream of records from any host.

#include <unistd.h>

#include <atomic>
#include <boost/program_options.hpp>
#include <cmath>
#include <iostream>
#include <limits>

#include "cli/commands.hpp"
#include "cli/number_flags.hpp"
#include "cli/tail_filter.hpp"
#include "net/address.hpp"
#include "net/handshake_watch.hpp"
#include "net/security.hpp"
#include "net/sockets.hpp"
#include "protocol/codec.hpp"
#include "sink/console_printer.hpp"
#include "sink/report_row.hpp"
#include "util/errors.hpp"

namespace po = boost::program_options;

namespace ramify {
namespace {
std::atomic<bool> g_stop_tail{false};
}  // namespace

int tail_command(const Arguments& args) {
  po::options_description options("ramify tail options");
  options.add_options()("help,h", "show this help")
      ("sink", po::value<std::string>()->required(), "the sink: HOST[:PORT_BASE] or ipc://PREFIX")
      ("level", po::value<std::string>(), "only records of nodes of this level (file, subject, ...)")
      ("severity", po::value<std::string>(), "only records of at least this severity: debug, info, warning, error")
      ("worker", po::value<std::string>(), "only records of this worker")
      ("grep", po::value<std::string>(), "only records whose message, error or node id matches this regular expression")
      ("failures", "only failed outcomes and error records")
      ("logs", "only log records (no outcome rows)")
      ("json", "one JSON object per record, as in the .jsonl report")
      ("count", po::value<std::string>(), "leave after this many records (1 or more)")
      ("follow", "keep following after the run ends (the next run on the same sink)")
      ("timeout", po::value<std::string>()->default_value("10"), "seconds to wait for the sink to answer before giving up (0.1 to 86400)")
      ("keys", po::value<std::string>(), "CURVE keys folder: client.key and sink.pub");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).run(), vm);
  if (vm.count("help")) {
    std::cout << "Usage: ramify tail --sink HOST [filters] [--json]\n"
                 "Follows the records the sink writes, from any host, as they arrive; leaves when the run ends.\n"
                 "It sees what is written after it connects (the report has everything).\n\n"
              << options << "\n";
    return kExitOk;
  }
  po::notify(vm);

  TailFilter filter;
  if (vm.count("level")) filter.level = vm["level"].as<std::string>();
  if (vm.count("severity")) filter.min_severity = parse_severity(vm["severity"].as<std::string>());
  if (vm.count("worker")) filter.worker = vm["worker"].as<std::string>();
  if (vm.count("grep")) {
    try {
      filter.grep = std::regex(vm["grep"].as<std::string>());
    } catch (const std::regex_error& e) {
      throw ConfigError("--grep: invalid regular expression: " + std::string(e.what()));
    }
  }
  filter.failures = vm.count("failures") > 0;
  filter.logs_only = vm.count("logs") > 0;
  const bool json = vm.count("json") > 0;
  const bool follow = vm.count("follow") > 0;
  const std::uint64_t limit = vm.count("count") ? count_flag(vm, "count", 1, std::numeric_limits<std::uint64_t>::max()) : 0;
  const auto answer_timeout = seconds_flag(vm, "timeout", 0.1, 86400);
  ConsolePrinter printer(stdout, isatty(STDOUT_FILENO) != 0);

  zmq::context_t context(1);
  SocketOptions socket_options;
  socket_options.max_message = kMaxLogMessage;
  socket_options.immediate = false;
  socket_options.receive_hwm = 100000;
  const Security security(vm.count("keys") ? vm["keys"].as<std::string>() : "", "client");
  socket_options.curve = security.client_of_sink();
  zmq::socket_t socket = make_socket(context, zmq::socket_type::sub, socket_options);
  socket.set(zmq::sockopt::subscribe, TailRecord::kType);
  socket.set(zmq::sockopt::subscribe, TailEnd::kType);
  const std::string endpoint =
      Address::parse(vm["sink"].as<std::string>(), kSinkPortBase).endpoint(kTailPort, "tail");
  // Until the sink has answered, say why it does not, and give up after --timeout.
  auto watch = std::make_unique<HandshakeWatch>(context, socket, "the sink at " + endpoint, security.enabled());
  socket.connect(endpoint);
  const auto answer_deadline =
      std::chrono::steady_clock::now() + answer_timeout;
  on_stop_signal([](int) { g_stop_tail = true; });

  std::uint64_t shown = 0;
  while (!g_stop_tail) {
    if (watch) {
      if (auto failure = watch->failure()) {
        std::cerr << "ramify tail: " << *failure << "\n";
        return kExitFailed;
      }
      if (watch->connected()) {
        watch.reset();
      } else if (std::chrono::steady_clock::now() >= answer_deadline) {
        if (auto dropped = watch->dropped()) {
          std::cerr << "ramify tail: " << *dropped << "\n";
          return kExitFailed;
        }
        std::cerr << "ramify tail: no answer from the sink at " << endpoint << " within "
                  << static_cast<double>(answer_timeout.count()) / 1000 << " s\n";
        return kExitFailed;
      }
    }
    std::vector<zmq::pollitem_t> items{{socket.handle(), 0, ZMQ_POLLIN, 0}};
    poll_items(items, std::chrono::milliseconds(watch ? 50 : 200));
    if (!(items[0].revents & ZMQ_POLLIN)) continue;
    while (auto frames = receive_frames(socket, 2)) {
      if (frames->size() != 2) continue;
      const std::string topic = frame_text((*frames)[0]);
      try {
        if (topic == TailEnd::kType) {
          TailEnd end = decode<TailEnd>((*frames)[1].to_string_view());
          if (!json) std::cout << end.summary << std::flush;
          if (!follow) return end.status == 0 ? kExitOk : kExitFailed;
          continue;
        }
        TailRecord tail = decode<TailRecord>((*frames)[1].to_string_view());
        if (!filter.admits(tail.worker_id, tail.record)) continue;
        if (json) {
          std::cout << report_row_json(ReportRow{tail.run_id, tail.worker_id, tail.seq, tail.record}) << "\n";
        } else {
          printer.print_all(tail.worker_id, tail.record);
        }
        std::cout.flush();
        if (limit && ++shown >= limit) return kExitOk;
      } catch (const DecodeError& e) {
        std::cerr << "ramify tail: dropped a bad message: " << e.what() << "\n";
      }
    }
  }
  return kExitOk;
}

}  // namespace ramify
