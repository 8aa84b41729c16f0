#include "sink/sink.hpp"

#include <zmq.hpp>

#include <iostream>
#include <optional>

#include "net/address.hpp"
#include "net/reactor.hpp"
#include "net/security.hpp"
#include "net/sockets.hpp"
#include "protocol/codec.hpp"
#include "sink/broker_link.hpp"
#include "sink/log_intake.hpp"
#include "sink/sink_run.hpp"
#include "sink/tail_channel.hpp"
#include "util/errors.hpp"

namespace ramify {

namespace {
using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kBeatInterval{500};
}  // namespace

// The sink's loop: batches in, acknowledgements and rows out, beats to the
// broker until its finish, then the conclusion: the report completed, the
// summary printed, the broker told how the report ended.
struct Sink::Impl {
  const StopRequest& stop;
  std::unique_ptr<zmq::context_t> own_context;  // before the sockets, so that it outlives them
  zmq::context_t& context;
  SinkRun run;
  std::unique_ptr<Security> security;  // before the sockets: its ZAP handler outlives them
  std::optional<TailChannel> tail;
  std::optional<BrokerLink> broker;
  std::optional<LogIntake> intake;
  zmq::socket_t status;  // REP, bound: the sink's status
  Reactor reactor{run.log};
  Reactor::TimerId beat = 0;
  std::string sink_id = random_hex(4);
  int stops_handled = 0;
  std::optional<Clock::time_point> stop_deadline;
  Clock::time_point drain_deadline = Clock::time_point::max();
  bool leaving = false;

  Impl(SinkOptions options, const StopRequest& stop_request)
      : stop(stop_request),
        own_context(options.context ? nullptr : std::make_unique<zmq::context_t>(1)),
        context(options.context ? *options.context : *own_context),
        run(std::move(options)) {
    const SinkOptions& o = run.options;
    const Address address = Address::parse(o.bind, kSinkPortBase);
    security = std::make_unique<Security>(o.keys, "sink");
    check_exposure(*security, o.require_auth, o.bind, "sink");
    tail.emplace(context, *security, address);
    if (!o.broker.empty())
      broker.emplace(context, Address::parse(o.broker, kBrokerPortBase), security->client_of_broker());
    intake.emplace(run, *tail, broker ? &*broker : nullptr, context, *security, address);
    SocketOptions status_options;
    status_options.max_message = 4096;
    status_options.curve = security->server(context, "sink.status", {KeyRole::client});
    status = make_socket(context, zmq::socket_type::rep, status_options);
    status.bind(address.endpoint(kSinkStatusPort, "status"));
    run.log->info("sink listening on {}{}", address.text(), run.report ? ", report " + run.report->path() : "");

    reactor.on(intake->socket(), [this] { intake->on_batch(); });
    reactor.on(tail->socket(), [this] { tail->on_subscription(); });
    reactor.on(status, [this] { answer_status(); });
    if (broker) {
      reactor.on(broker->control(), [this] { on_control(); });
      reactor.on(broker->config(), [this] { on_reply(); });
      beat = reactor.every(kBeatInterval, [this] { send_beat(); });
    }
    reactor.before_wait([this] { after_events(); });
    reactor.set_longest_wait(std::chrono::milliseconds(200));
  }

  void answer_status() {
    auto frames = receive_frames(status, 2);
    if (!frames) return;
    SinkStatusReply reply;
    reply.run_id = run.run_id;
    for (const auto& [worker, tracker] : run.trackers) {
      reply.records += tracker.received();
      reply.records_by_worker.emplace_back(worker, tracker.received());
    }
    reply.report = run.report ? run.report->path() : "";
    reply.tailers = tail->tailers();
    reply.finished = run.finish.has_value();
    send_frames(status, {SinkStatusReply::kType, encode(reply)});
  }

  // ---- the broker ----

  void send_beat() {
    if (run.finish) return;  // the run is over: nothing more to say until the conclusion
    SinkBeat beat_message;
    beat_message.run_id = run.run_id;
    beat_message.sink_id = sink_id;
    beat_message.report = run.report ? run.report->path() : "";
    beat_message.rows = run.report ? run.report->rows() : 0;
    beat_message.error = run.report_error;
    beat_message.state_id = run.state ? run.state->id() : "";
    if (broker->digest_wanted()) beat_message.digest = run.digest.digest();
    broker->send_beat(beat_message);
  }

  void on_control() {
    std::optional<Finish> message = broker->on_control();
    learn_run_id();
    if (!message || run.finish) return;
    run.finish = std::move(message);
    drain_deadline = Clock::now() + run.options.drain_timeout;
    run.log->info("the run is over; waiting for the last rows of {} worker(s)", run.finish->last_seq.size());
  }

  void on_reply() {
    broker->on_reply();
    // Asked for in the reply to the beat that lets the broker dispatch: before any row can come.
    if (broker->digest_wanted()) run.digest.keep_records();
    learn_run_id();
  }

  // The run's id, once the broker said it. An appended report must be this run's.
  void learn_run_id() {
    if (!run.run_id.empty() || broker->run_id().empty()) return;
    run.run_id = broker->run_id();
    for (const auto& earlier : run.existing_runs) {
      if (earlier == run.run_id) continue;
      run.report_error = "report " + run.report->path() + " holds rows of run " + earlier + ", not of run " +
                         run.run_id + ": --append continues only the report of the same run (use --force or another report)";
      send_beat();  // the broker hears why before any work is dispatched
      broker->await_reply(std::chrono::seconds(2));
      throw ConfigError(run.report_error);
    }
    run.log->info("writing run {}", run.run_id);
    reactor.fire_soon(beat);  // joins the run at once
  }

  // ---- every turn ----

  void after_events() {
    intake->acknowledge_written();
    if (run.beat_due && broker) reactor.fire_soon(beat);
    run.beat_due = false;
    const auto now = Clock::now();
    if (stop_now(now) || (run.finish && (run.have_everything() || now >= drain_deadline))) {
      leaving = true;
      return;
    }
    if (broker && !run.finish) {
      const std::string why = broker->broken(now, run.options.broker_wait);
      if (!why.empty()) {
        run.ended_early = why + "; the report is incomplete";
        leaving = true;
      }
    }
    if (run.finish) reactor.wake_by(drain_deadline);
    if (stop_deadline) reactor.wake_by(*stop_deadline);
  }

  // Stops asked for from outside: with a broker, the first waits for the run's
  // end (up to the drain timeout); a second one, or no broker, concludes now.
  bool stop_now(Clock::time_point now) {
    const int requested = stop.count();
    if (requested != stops_handled) {
      stops_handled = requested;
      if (!broker || run.finish || requested >= 2) return true;
      stop_deadline = now + run.options.drain_timeout;
      run.log->warn("{}: waiting up to {:.0f} s for the run to end", stop.reason(),
                    std::chrono::duration<double>(run.options.drain_timeout).count());
    }
    if (stop_deadline && now >= *stop_deadline) {
      run.ended_early = "the sink was " + stop.reason() + " before the run ended: the report is incomplete";
      return true;
    }
    return false;
  }

  // ---- the end ----

  int conclude() {
    reactor.forget(intake->socket());  // the report is being completed: no more rows
    if (!run.finish && run.trackers.empty() && run.ended_early.empty() && run.report_error.empty()) {
      run.log->info("stopped before any record arrived");  // nothing to report
      return stop.count() > 0 && broker ? stop.exit_status() : 0;
    }
    const auto [lost, with_dead] = run.missing();
    for (const auto& [worker, rows] : run.undelivered_done())
      run.log->error("worker {} was lost before {} record(s) of its finished assignments reached the sink", worker,
                     rows);
    if (run.metrics) run.metrics->lost(lost + with_dead);
    if (run.finish) {
      for (const LogRecord& record : run.finish->final_records) run.add_final(record);
      run.summary.drop_attempts(run.finish->superseded);
    }
    // A restarted sink (--append) lost what its store had not committed: it forgets nothing.
    run.complete_report(run.finish && run.finish->whole && lost == 0 && run.ended_early.empty() &&
                        !run.options.append);
    const bool complete = run.finish && lost == 0 && run.report_error.empty() && run.ended_early.empty();

    RunSummary::Footer footer;
    footer.run_id = run.run_id.empty() ? "(standalone)" : run.run_id;
    footer.status = complete || (!broker && run.report_error.empty() && lost == 0) ? (run.finish ? run.finish->status : 0) : 1;
    footer.lost = lost;
    footer.dead_worker_records = with_dead;
    if (run.finish) {
      footer.redispatched = run.finish->superseded.size();
      footer.handed_back = run.finish->handed_back;
      footer.skipped_assignments = run.finish->skipped_assignments;
      footer.broker_failure = run.finish->first_failure;
    }
    footer.report_error = !run.report_error.empty() ? run.report_error : run.ended_early;
    footer.report_path = run.report ? run.report->path() : "";
    footer.since_last_run = run.since_last_run;
    footer.elapsed_seconds = std::chrono::duration<double>(Clock::now() - run.started_at).count();
    const std::string text = run.summary.render(footer);
    std::cout << text << std::flush;
    tail->publish_end(TailEnd{kProtocolVersion, run.run_id, footer.status, text});
    if (!run.ended_early.empty()) run.log->error("{}", run.ended_early);

    if (run.finish && broker) confirm_to_broker(complete, lost);
    if (!run.finish && stop.count() > 0 && broker) return stop.exit_status();
    return footer.status == 0 ? 0 : 1;
  }

  // Tells the broker how the report ended, every half second until it
  // acknowledges (up to 5 s).
  void confirm_to_broker(bool complete, std::uint64_t lost) {
    ReportDone done{kProtocolVersion, run.run_id, run.received(), lost, complete, run.report_error};
    if (!complete && done.error.empty())
      done.error = lost > 0 ? std::to_string(lost) + " log record(s) were lost" : "the report is incomplete";
    reactor.cancel(beat);
    const auto resend = reactor.every(std::chrono::milliseconds(500), [&] { broker->send_report_done(done); });
    reactor.run_until([&] { return broker->report_done_acknowledged(); }, Clock::now() + std::chrono::seconds(5));
    reactor.cancel(resend);
    if (!broker->report_done_acknowledged()) run.log->warn("the broker did not acknowledge the report's conclusion");
  }

  int run_until_concluded() {
    reactor.run_until([this] { return leaving; });
    return conclude();
  }
};

Sink::Sink(SinkOptions options) : impl_(std::make_unique<Impl>(std::move(options), stop_)) {}
Sink::~Sink() = default;
int Sink::run() { return impl_->run_until_concluded(); }

}  // namespace ramify
