#include "sink/sink.hpp"

#include <iostream>
#include <map>
#include <optional>
#include <set>

#include "common/address.hpp"
#include "common/codec.hpp"
#include "common/config_client.hpp"
#include "common/logging.hpp"
#include "common/security.hpp"
#include "common/sockets.hpp"
#include "sink/console_printer.hpp"
#include "sink/report_row.hpp"
#include "sink/report_file.hpp"
#include "sink/run_summary.hpp"
#include "sink/sequence_tracker.hpp"

namespace ramify {

namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

struct Sink::Impl {
  SinkOptions options;
  std::shared_ptr<spdlog::logger> log = logger("sink");

  zmq::context_t context{1};
  std::unique_ptr<Security> security;  // before the sockets: its ZAP handler outlives them
  zmq::socket_t logs;    // SUB, bound: batches from workers
  zmq::socket_t tail;    // XPUB, bound: acks for workers, rows for tailers
  zmq::socket_t status;  // REP, bound: the sink's status
  std::optional<zmq::socket_t> control;  // SUB to the broker's PUB
  std::optional<ConfigClient> broker_config;

  std::unique_ptr<ReportFile> report;
  ConsolePrinter console;
  RunSummary summary;
  std::map<std::string, SequenceTracker> trackers;
  std::string run_id;
  std::optional<Finish> finish;
  Clock::time_point drain_deadline{};
  Clock::time_point started_at = Clock::now();
  std::uint64_t tailers = 0;
  std::uint64_t bad_messages = 0;
  std::uint64_t foreign_batches = 0;
  // Reused from batch to batch, so that steady streams of rows allocate nothing.
  std::vector<LogRecord> batch_records;
  ReportRow batch_row;

  explicit Impl(SinkOptions opts) : options(std::move(opts)), console(stderr, options.colour) {
    if (!options.report.empty()) {
      const ExistingReport existing =
          options.append ? ExistingReport::append : options.force ? ExistingReport::replace : ExistingReport::refuse;
      report = open_report(options.report, existing, [this](const ReportRow& row) {
        if (trackers[row.worker].accept(row.seq)) summary.add(row.worker, row.record);
      });
    }
    Address address = Address::parse(options.bind, kSinkPortBase);
    security = std::make_unique<Security>(options.keys, "sink");
    check_exposure(*security, options.require_auth, options.bind, "sink");
    const auto curve = security->server(context, "sink");

    SocketOptions log_options;
    log_options.curve = curve;
    log_options.max_message = kMaxLogMessage;
    log_options.receive_hwm = 100000;
    logs = make_socket(context, zmq::socket_type::sub, log_options);
    logs.set(zmq::sockopt::subscribe, LogBatch::kType);
    logs.bind(address.endpoint(kLogsPort, "logs"));

    SocketOptions tail_options;
    tail_options.max_message = 1024;  // subscriptions only
    tail_options.send_hwm = 100000;
    tail_options.linger = std::chrono::milliseconds(200);
    tail_options.curve = curve;
    tail = make_socket(context, zmq::socket_type::xpub, tail_options);
    tail.bind(address.endpoint(kTailPort, "tail"));

    SocketOptions status_options;
    status_options.max_message = 4096;
    status_options.curve = curve;
    status = make_socket(context, zmq::socket_type::rep, status_options);
    status.bind(address.endpoint(kSinkStatusPort, "status"));

    if (!options.broker.empty()) {
      Address broker = Address::parse(options.broker, kBrokerPortBase);
      SocketOptions control_options;
      control_options.max_message = kMaxControlMessage;
      control_options.immediate = false;
      control_options.curve = security->client_of_broker();
      control.emplace(make_socket(context, zmq::socket_type::sub, control_options));
      control->set(zmq::sockopt::subscribe, ControlHeartbeat::kType);
      control->set(zmq::sockopt::subscribe, Finish::kType);
      control->connect(broker.endpoint(kControlPort, "control"));
      broker_config.emplace(context, broker.endpoint(kConfigPort, "config"), std::chrono::milliseconds(1000), 5,
                            security->client_of_broker());
    }
    log->info("sink listening on {}{}", address.text(), report ? ", report " + report->path() : "");
  }

  void bad_message(const std::string& what) {
    ++bad_messages;
    if (bad_messages <= 10) log->warn("dropped a bad message: {}", what);
  }

  // ---- log batches ----

  void on_batch(std::set<std::string>& to_ack) {
    auto frames = receive_frames(logs, 2);
    if (!frames) return;
    if (frames->size() != 2) return bad_message("log message with the wrong number of frames");
    try {
      LogBatch batch = decode<LogBatch>((*frames)[1].to_string_view());
      if (batch.worker_id.empty() || batch.first_seq == 0) throw DecodeError("batch without worker or sequence");
      if (!run_id.empty() && batch.run_id != run_id) {
        ++foreign_batches;
        return;
      }
      decode_records(batch.records, batch.count, batch_records);
      SequenceTracker& tracker = trackers[batch.worker_id];
      batch_row.run = batch.run_id;
      batch_row.worker = batch.worker_id;
      for (std::size_t i = 0; i < batch_records.size(); ++i) {
        const std::uint64_t seq = batch.first_seq + i;
        if (!tracker.accept(seq)) continue;  // a duplicate from a replay
        batch_row.seq = seq;
        std::swap(batch_row.record, batch_records[i]);  // no copy; both keep their strings' storage
        write(batch_row);
      }
      to_ack.insert(batch.worker_id);
    } catch (const DecodeError& e) {
      bad_message(e.what());
    }
  }

  void write(const ReportRow& row) {
    if (report) report->write(row);
    summary.add(row.worker, row.record);
    if (!options.quiet) console.print(row.worker, row.record);
    if (tailers > 0) {
      TailRecord tail_record{kProtocolVersion, row.worker, row.seq, row.record, row.run};
      send_frames(tail, {TailRecord::kType, encode(tail_record)});
    }
  }

  void send_acks(const std::set<std::string>& workers) {
    if (workers.empty()) return;
    if (report) report->flush();
    for (const auto& worker : workers) {
      LogAck ack{kProtocolVersion, worker, trackers[worker].contiguous()};
      send_frames(tail, {std::string(LogAck::kType) + worker, encode(ack)});
    }
  }

  // Counts the tailers (subscribers of the record topic; workers subscribe to acks only).
  void on_tail_subscription() {
    auto frames = receive_frames(tail, 1);
    if (!frames || frames->size() != 1 || (*frames)[0].size() < 1) return;
    const std::string text = frame_text((*frames)[0]);
    const std::string topic = text.substr(1);
    if (!std::string(TailRecord::kType).starts_with(topic)) return;
    if (text[0] == 1) {
      ++tailers;
      log->info("a tailer subscribed ({} now)", tailers);
    } else if (text[0] == 0 && tailers > 0) {
      --tailers;
    }
  }

  void on_status_request() {
    auto frames = receive_frames(status, 2);
    if (!frames) return;
    SinkStatusReply reply;
    reply.run_id = run_id;
    for (const auto& [worker, tracker] : trackers) {
      reply.records += tracker.received();
      reply.records_by_worker.emplace_back(worker, tracker.received());
    }
    reply.report = report ? report->path() : "";
    reply.tailers = tailers;
    reply.finished = finish.has_value();
    send_frames(status, {SinkStatusReply::kType, encode(reply)});
  }

  // ---- the broker ----

  void on_control() {
    auto frames = receive_frames(*control, 2);
    if (!frames || frames->size() != 2) return;
    const std::string topic = frame_text((*frames)[0]);
    try {
      if (topic == ControlHeartbeat::kType) {
        ControlHeartbeat hb = decode<ControlHeartbeat>((*frames)[1].to_string_view());
        if (run_id.empty()) run_id = hb.run_id;
      } else if (topic == Finish::kType) {
        Finish message = decode<Finish>((*frames)[1].to_string_view(), limits_for<Finish>());
        if (run_id.empty()) run_id = message.run_id;
        if (message.run_id != run_id || finish) return;
        finish = std::move(message);
        drain_deadline = Clock::now() + options.drain_timeout;
        log->info("the run is over; waiting for the last rows of {} worker(s)", finish->last_seq.size());
      }
    } catch (const DecodeError& e) {
      bad_message(e.what());
    }
  }

  bool have_everything() const {
    const std::set<std::string> dead(finish->dead_workers.begin(), finish->dead_workers.end());
    for (const auto& [worker, last] : finish->last_seq) {
      if (dead.count(worker)) continue;
      auto it = trackers.find(worker);
      const std::uint64_t have = it == trackers.end() ? 0 : it->second.contiguous();
      if (have < last) return false;
    }
    return true;
  }

  // Records up to each worker's last sequence number that never arrived, from
  // workers that left properly (lost) or that died (gone with them).
  std::pair<std::uint64_t, std::uint64_t> missing() const {
    std::uint64_t lost = 0, with_dead = 0;
    if (!finish) return {0, 0};
    const std::set<std::string> dead(finish->dead_workers.begin(), finish->dead_workers.end());
    for (const auto& [worker, last] : finish->last_seq) {
      auto it = trackers.find(worker);
      const std::uint64_t n = it == trackers.end() ? last : it->second.missing_through(last);
      (dead.count(worker) ? with_dead : lost) += n;
    }
    return {lost, with_dead};
  }

  // ---- the end ----

  int conclude() {
    if (!finish && trackers.empty()) {  // stopped before any run reached it: nothing to report
      log->info("stopped before any record arrived");
      return 0;
    }
    int status_code = 0;
    const auto [lost, with_dead] = missing();
    if (finish) {
      status_code = finish->status;
      for (std::size_t i = 0; i < finish->final_records.size(); ++i) {
        const LogRecord& record = finish->final_records[i];
        if (report) report->write(ReportRow{run_id, "broker", i + 1, record});
        summary.add_final(record);
        if (!options.quiet) console.print("broker", record);
      }
      summary.drop_attempts(finish->superseded);
      if (report) {
        std::uint64_t removed = report->drop_outcomes(finish->superseded);
        if (removed > 0) log->info("removed {} outcome row(s) of attempts that were run again", removed);
      }
    }
    if (report) report->flush();
    RunSummary::Footer footer;
    footer.run_id = run_id.empty() ? "(standalone)" : run_id;
    footer.status = lost > 0 ? 1 : status_code;
    footer.lost = lost;
    footer.dead_worker_records = with_dead;
    if (finish) {
      footer.redispatched = finish->superseded.size();
      footer.skipped_assignments = finish->skipped_assignments;
      footer.broker_failure = finish->first_failure;
    }
    footer.report_path = report ? report->path() : "";
    footer.elapsed_seconds = std::chrono::duration<double>(Clock::now() - started_at).count();
    const std::string text = summary.render(footer);
    std::cout << text << std::flush;
    send_frames(tail, {TailEnd::kType, encode(TailEnd{kProtocolVersion, run_id, footer.status, text})});

    if (finish && broker_config) {
      std::uint64_t records = 0;
      for (const auto& [worker, tracker] : trackers) records += tracker.received();
      try {
        broker_config->call<Ok>(ReportDone{kProtocolVersion, run_id, records, lost});
      } catch (const std::exception& e) {
        log->warn("could not tell the broker the report is written: {}", e.what());
      }
    }
    return lost > 0 ? 1 : 0;
  }

  int run(std::atomic<bool>& stop_requested) {
    while (true) {
      if (stop_requested.exchange(false)) break;
      if (finish && (have_everything() || Clock::now() >= drain_deadline)) break;

      std::vector<zmq::pollitem_t> items{{logs.handle(), 0, ZMQ_POLLIN, 0},
                                         {tail.handle(), 0, ZMQ_POLLIN, 0},
                                         {status.handle(), 0, ZMQ_POLLIN, 0}};
      if (control) items.push_back({control->handle(), 0, ZMQ_POLLIN, 0});
      poll_items(items, std::chrono::milliseconds(200));

      std::set<std::string> to_ack;
      if (items[0].revents & ZMQ_POLLIN)
        for (int i = 0; i < 1000 && (logs.get(zmq::sockopt::events) & ZMQ_POLLIN); ++i) on_batch(to_ack);
      send_acks(to_ack);
      if (items[1].revents & ZMQ_POLLIN)
        for (int i = 0; i < 1000 && (tail.get(zmq::sockopt::events) & ZMQ_POLLIN); ++i) on_tail_subscription();
      if (items[2].revents & ZMQ_POLLIN) on_status_request();
      if (control && (items[3].revents & ZMQ_POLLIN))
        for (int i = 0; i < 100 && (control->get(zmq::sockopt::events) & ZMQ_POLLIN); ++i) on_control();
    }
    return conclude();
  }
};

Sink::Sink(SinkOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Sink::~Sink() = default;
int Sink::run() { return impl_->run(stop_requested_); }

}  // namespace ramify
