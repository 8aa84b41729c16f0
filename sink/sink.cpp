#include "sink/sink.hpp"

#include <iostream>
#include <map>
#include <optional>
#include <set>

#include "common/address.hpp"
#include "common/codec.hpp"
#include "common/errors.hpp"
#include "common/logging.hpp"
#include "common/security.hpp"
#include "common/sockets.hpp"
#include "sink/broker_link.hpp"
#include "sink/console_printer.hpp"
#include "sink/report_row.hpp"
#include "sink/report_file.hpp"
#include "sink/run_summary.hpp"
#include "sink/sequence_tracker.hpp"

namespace ramify {

namespace {
using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kBeatInterval{500};
}  // namespace

struct Sink::Impl {
  SinkOptions options;
  std::shared_ptr<spdlog::logger> log = logger("sink");

  zmq::context_t context{1};
  std::unique_ptr<Security> security;  // before the sockets: its ZAP handler outlives them
  zmq::socket_t logs;    // SUB, bound: batches from workers
  zmq::socket_t tail;    // XPUB, bound: acks for workers, rows for tailers
  zmq::socket_t status;  // REP, bound: the sink's status
  std::optional<BrokerLink> broker;
  std::string sink_id = random_hex(4);

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
  std::uint64_t forged_batches = 0;
  std::uint64_t refused_subscriptions = 0;
  std::map<std::string, std::string> worker_keys;  // worker id -> the key that first wrote for it
  std::set<std::string> existing_runs;  // runs of the rows an appended report already held
  std::string report_error;             // why the report can no longer be completed ("" while it can)
  std::string ended_early;              // why the sink concluded before the run's finish
  Clock::time_point next_beat{};
  int stops_handled = 0;
  std::optional<Clock::time_point> stop_deadline;
  // Reused from batch to batch, so that steady streams of rows allocate nothing.
  std::vector<LogRecord> batch_records;
  ReportRow batch_row;

  const StopRequest& stop_;

  Impl(SinkOptions opts, const StopRequest& stop)
      : options(std::move(opts)), console(stderr, options.colour), stop_(stop) {
    if (!options.report.empty()) {
      const ExistingReport existing =
          options.append ? ExistingReport::append : options.force ? ExistingReport::replace : ExistingReport::refuse;
      report = open_report(options.report, existing, [this](const ReportRow& row) {
        existing_runs.insert(row.run);
        if (trackers[row.worker].accept(row.seq)) summary.add(row.worker, row.record);
      });
    }
    Address address = Address::parse(options.bind, kSinkPortBase);
    security = std::make_unique<Security>(options.keys, "sink");
    check_exposure(*security, options.require_auth, options.bind, "sink");

    SocketOptions log_options;
    log_options.curve = security->server(context, "sink.logs", {KeyRole::worker});
    log_options.max_message = kMaxLogMessage;
    log_options.receive_hwm = 100000;
    logs = make_socket(context, zmq::socket_type::sub, log_options);
    logs.set(zmq::sockopt::subscribe, LogBatch::kType);
    logs.bind(address.endpoint(kLogsPort, "logs"));

    SocketOptions tail_options;
    tail_options.max_message = 1024;  // subscriptions only
    tail_options.send_hwm = 100000;
    tail_options.linger = std::chrono::milliseconds(200);
    tail_options.curve = security->server(context, "sink.tail", {KeyRole::worker, KeyRole::client});
    tail = make_socket(context, zmq::socket_type::xpub, tail_options);
    tail.set(zmq::sockopt::xpub_manual, 1);  // each subscription is checked, then applied
    tail.bind(address.endpoint(kTailPort, "tail"));

    SocketOptions status_options;
    status_options.max_message = 4096;
    status_options.curve = security->server(context, "sink.status", {KeyRole::client});
    status = make_socket(context, zmq::socket_type::rep, status_options);
    status.bind(address.endpoint(kSinkStatusPort, "status"));

    if (!options.broker.empty())
      broker.emplace(context, Address::parse(options.broker, kBrokerPortBase), security->client_of_broker());
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
      if (!from_its_own_key(batch.worker_id, peer_of((*frames)[0]))) return;
      // Linked to a broker, only its run's batches count (none before it is known).
      if ((broker && run_id.empty()) || (!run_id.empty() && batch.run_id != run_id)) {
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
    if (report && report_error.empty()) {
      try {
        report->write(row);
      } catch (const WriteError& e) {
        report_failed(e.what());
      }
    }
    summary.add(row.worker, row.record);
    if (!options.quiet) console.print(row.worker, row.record);
    if (tailers > 0) {
      TailRecord tail_record{kProtocolVersion, row.worker, row.seq, row.record, row.run};
      send_frames(tail, {TailRecord::kType, encode(tail_record)});
    }
  }

  // With keys, a worker's rows are taken only from the key it joined the
  // broker with (the broker says which), or, without a broker, the key that
  // first wrote for it: no key writes as another's worker. A batch of a
  // worker the broker has not named yet waits (it is sent again).
  bool from_its_own_key(const std::string& worker, const Peer& peer) {
    if (!peer.role) return true;
    std::string owner;
    if (broker && !broker->answered()) return false;
    if (broker && broker->worker_keys()) {
      auto it = broker->worker_keys()->find(worker);
      if (it == broker->worker_keys()->end()) return false;
      owner = it->second;
    } else {
      owner = worker_keys.emplace(worker, peer.key).first->second;
    }
    if (owner == peer.key) return true;
    if (++forged_batches <= 10)
      log->warn("dropped a batch for worker {} from {}: that id belongs to another key", worker, peer.describe());
    return false;
  }

  // From the first write error on, nothing more is written or acknowledged;
  // the broker hears of it at once and stops the run.
  void report_failed(const std::string& why) {
    if (!report_error.empty()) return;
    report_error = why;
    log->error("{}; acknowledging nothing more", why);
    next_beat = Clock::now();
  }

  // Acknowledges to each worker what the report holds (written and flushed).
  void send_acks(const std::set<std::string>& workers) {
    if (workers.empty()) return;
    if (report && report_error.empty()) {
      try {
        report->flush();
      } catch (const WriteError& e) {
        report_failed(e.what());
      }
    }
    if (!report_error.empty()) return;
    for (const auto& worker : workers) {
      LogAck ack{kProtocolVersion, worker, trackers[worker].contiguous()};
      send_frames(tail, {std::string(LogAck::kType) + worker, encode(ack)});
    }
  }

  // Subscriptions to the tail socket, applied by hand (XPUB_MANUAL): with
  // keys, workers may follow only their acknowledgements and clients only the
  // records; also counts the tailers (subscribers of the record topic).
  void on_tail_subscription() {
    auto frames = receive_frames(tail, 1);
    if (!frames || frames->size() != 1 || (*frames)[0].size() < 1) return;
    const std::string text = frame_text((*frames)[0]);
    const std::string topic = text.substr(1);
    const bool subscribe = text[0] == 1;
    const bool ack_topic = topic.starts_with(LogAck::kType);
    const Peer peer = peer_of((*frames)[0]);
    if (subscribe && peer.role &&
        (*peer.role == KeyRole::worker ? !ack_topic : *peer.role != KeyRole::client || ack_topic)) {
      if (++refused_subscriptions <= 10)
        log->warn("refused a subscription to '{}' from {}", topic, peer.describe());
      return;
    }
    if (subscribe) {
      tail.set(zmq::sockopt::subscribe, topic);
    } else {
      tail.set(zmq::sockopt::unsubscribe, topic);
    }
    if (!std::string(TailRecord::kType).starts_with(topic)) return;
    if (subscribe) {
      ++tailers;
      log->info("a tailer subscribed ({} now)", tailers);
    } else if (tailers > 0) {
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

  void send_beat() {
    SinkBeat beat;
    beat.run_id = run_id;
    beat.sink_id = sink_id;
    beat.report = report ? report->path() : "";
    beat.rows = report ? report->rows() : 0;
    beat.error = report_error;
    broker->send_beat(beat);
    next_beat = Clock::now() + kBeatInterval;
  }

  void on_control() {
    try {
      std::optional<Finish> message = broker->on_control();
      learn_run_id();
      if (!message || finish) return;
      finish = std::move(message);
      drain_deadline = Clock::now() + options.drain_timeout;
      log->info("the run is over; waiting for the last rows of {} worker(s)", finish->last_seq.size());
    } catch (const DecodeError& e) {
      bad_message(e.what());
    }
  }

  void on_reply() {
    try {
      broker->on_reply();
      learn_run_id();
    } catch (const DecodeError& e) {
      bad_message(e.what());
    }
  }

  // The run's id, once the broker said it. An appended report must be this run's.
  void learn_run_id() {
    if (!run_id.empty() || broker->run_id().empty()) return;
    run_id = broker->run_id();
    for (const auto& earlier : existing_runs) {
      if (earlier == run_id) continue;
      report_error = "report " + report->path() + " holds rows of run " + earlier + ", not of run " + run_id +
                     ": --append continues only the report of the same run (use --force or another report)";
      send_beat();  // the broker hears why before any work is dispatched
      broker->await_reply(std::chrono::seconds(2));
      throw ConfigError(report_error);
    }
    log->info("writing run {}", run_id);
    next_beat = Clock::now();  // joins the run at once
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

  // The finish's last rows, the outcome rows of attempts that were run again
  // removed, and the report made durable. Any failure becomes report_error.
  void complete_report() {
    if (!report_error.empty()) return;
    try {
      if (finish) {
        for (std::size_t i = 0; i < finish->final_records.size(); ++i)
          if (report) report->write(ReportRow{run_id, "broker", i + 1, finish->final_records[i]});
        if (report) {
          const std::uint64_t removed = report->drop_outcomes(finish->superseded);
          if (removed > 0) log->info("removed {} outcome row(s) of attempts that were run again", removed);
        }
      }
      if (report) report->finish();
    } catch (const WriteError& e) {
      report_failed(e.what());
    }
  }

  int conclude() {
    if (!finish && trackers.empty() && ended_early.empty() && report_error.empty()) {
      log->info("stopped before any record arrived");  // nothing to report
      return stop_.count() > 0 && broker ? stop_.exit_status() : 0;
    }
    const auto [lost, with_dead] = missing();
    if (finish) {
      for (const LogRecord& record : finish->final_records) {
        summary.add_final(record);
        if (!options.quiet) console.print("broker", record);
      }
      summary.drop_attempts(finish->superseded);
    }
    complete_report();
    const bool complete = finish && lost == 0 && report_error.empty() && ended_early.empty();

    RunSummary::Footer footer;
    footer.run_id = run_id.empty() ? "(standalone)" : run_id;
    footer.status = complete || (!broker && report_error.empty() && lost == 0) ? (finish ? finish->status : 0) : 1;
    footer.lost = lost;
    footer.dead_worker_records = with_dead;
    if (finish) {
      footer.redispatched = finish->superseded.size();
      footer.skipped_assignments = finish->skipped_assignments;
      footer.broker_failure = finish->first_failure;
    }
    footer.report_error = !report_error.empty() ? report_error : ended_early;
    footer.report_path = report ? report->path() : "";
    footer.elapsed_seconds = std::chrono::duration<double>(Clock::now() - started_at).count();
    const std::string text = summary.render(footer);
    std::cout << text << std::flush;
    send_frames(tail, {TailEnd::kType, encode(TailEnd{kProtocolVersion, run_id, footer.status, text})});
    if (!ended_early.empty()) log->error("{}", ended_early);

    if (finish && broker) confirm_to_broker(complete, lost);
    if (!finish && stop_.count() > 0 && broker) return stop_.exit_status();
    return footer.status == 0 ? 0 : 1;
  }

  // Tells the broker how the report ended, until it acknowledges (bounded).
  void confirm_to_broker(bool complete, std::uint64_t lost) {
    std::uint64_t records = 0;
    for (const auto& [worker, tracker] : trackers) records += tracker.received();
    ReportDone done{kProtocolVersion, run_id, records, lost, complete, report_error};
    if (!complete && done.error.empty())
      done.error = lost > 0 ? std::to_string(lost) + " log record(s) were lost" : "the report is incomplete";
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (!broker->report_done_acknowledged() && Clock::now() < deadline) {
      broker->send_report_done(done);
      std::vector<zmq::pollitem_t> items{{broker->config().handle(), 0, ZMQ_POLLIN, 0}};
      poll_items(items, std::chrono::milliseconds(500));
      if (items[0].revents & ZMQ_POLLIN) on_reply();
    }
    if (!broker->report_done_acknowledged()) log->warn("the broker did not acknowledge the report's conclusion");
  }

  // Stops asked for from outside: with a broker, the first waits for the run's
  // end (up to the drain timeout); a second one, or no broker, concludes now.
  bool stop_now(Clock::time_point now) {
    const int requested = stop_.count();
    if (requested != stops_handled) {
      stops_handled = requested;
      if (!broker || finish || requested >= 2) return true;
      stop_deadline = now + options.drain_timeout;
      log->warn("{}: waiting up to {:.0f} s for the run to end", stop_.reason(),
                std::chrono::duration<double>(options.drain_timeout).count());
    }
    if (stop_deadline && now >= *stop_deadline) {
      ended_early = "the sink was " + stop_.reason() + " before the run ended: the report is incomplete";
      return true;
    }
    return false;
  }

  int run() {
    while (true) {
      const auto now = Clock::now();
      if (stop_now(now)) break;
      if (finish && (have_everything() || now >= drain_deadline)) break;
      if (broker && !finish) {
        if (now >= next_beat) send_beat();
        const std::string why = broker->broken(now, options.broker_wait);
        if (!why.empty()) {
          ended_early = why + "; the report is incomplete";
          break;
        }
      }

      std::vector<zmq::pollitem_t> items{{logs.handle(), 0, ZMQ_POLLIN, 0},
                                         {tail.handle(), 0, ZMQ_POLLIN, 0},
                                         {status.handle(), 0, ZMQ_POLLIN, 0}};
      if (broker) {
        items.push_back({broker->control().handle(), 0, ZMQ_POLLIN, 0});
        items.push_back({broker->config().handle(), 0, ZMQ_POLLIN, 0});
      }
      poll_items(items, broker ? std::min(until(next_beat), std::chrono::milliseconds(200))
                               : std::chrono::milliseconds(200));

      std::set<std::string> to_ack;
      if (items[0].revents & ZMQ_POLLIN)
        for (int i = 0; i < 1000 && (logs.get(zmq::sockopt::events) & ZMQ_POLLIN); ++i) on_batch(to_ack);
      send_acks(to_ack);
      if (items[1].revents & ZMQ_POLLIN)
        for (int i = 0; i < 1000 && (tail.get(zmq::sockopt::events) & ZMQ_POLLIN); ++i) on_tail_subscription();
      if (items[2].revents & ZMQ_POLLIN) on_status_request();
      if (broker && (items[3].revents & ZMQ_POLLIN))
        for (int i = 0; i < 100 && (broker->control().get(zmq::sockopt::events) & ZMQ_POLLIN); ++i) on_control();
      if (broker && (items[4].revents & ZMQ_POLLIN))
        for (int i = 0; i < 100 && (broker->config().get(zmq::sockopt::events) & ZMQ_POLLIN); ++i) on_reply();
    }
    return conclude();
  }
};

Sink::Sink(SinkOptions options) : impl_(std::make_unique<Impl>(std::move(options), stop_)) {}
Sink::~Sink() = default;
int Sink::run() { return impl_->run(); }

}  // namespace ramify
