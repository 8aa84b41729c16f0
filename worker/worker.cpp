#include "worker/worker.hpp"

#include <unistd.h>

#include <thread>

#include "curators/curator_factory.hpp"
#include "engine/node_runner.hpp"
#include "net/address.hpp"
#include "net/reactor.hpp"
#include "net/security.hpp"
#include "slots/slot_pool.hpp"
#include "spec/job_spec.hpp"
#include "util/host_name.hpp"
#include "util/logging.hpp"
#include "worker/broker_session.hpp"
#include "worker/input_cache.hpp"
#include "worker/log_channel.hpp"
#include "worker/worker_metrics.hpp"

namespace ramify {

namespace {

using Clock = std::chrono::steady_clock;

// working (draining, once a drain began: no new work) -> closing (the slots
// finish and exit) -> flushing (the sink acknowledges the last rows) -> gone
// (goodbye said).
enum class Phase { working, closing, flushing, gone };
enum class StopReason { none, finished, aborted, lost_broker, signal, drained };

// A drain's course: the running assignments go on until hand_back_at, then
// end after their node in progress; what still runs at interrupt_at is
// interrupted (and handed back just the same).
struct Drain {
  bool active = false;
  bool handing_back = false;
  bool interrupted = false;
  Clock::time_point hand_back_at{};
  Clock::time_point interrupt_at{};
};

}  // namespace

struct Worker::Impl {
  WorkerOptions options;
  std::string worker_id;
  std::shared_ptr<spdlog::logger> log = logger("worker");
  const StopRequest& stop_request;

  std::unique_ptr<zmq::context_t> own_context;
  zmq::context_t& context;
  Security security;
  std::optional<BrokerSession> broker;
  std::optional<LogChannel> logs;
  std::optional<zmq::socket_t> status;  // REP on the status endpoint, when asked for
  std::optional<InputCache> inputs;     // the job's shared inputs, fetched once by whichever slot asks first
  std::optional<SlotPool> slots;
  std::unique_ptr<WorkerMetrics> metrics;  // with --metrics
  Reactor reactor{log};

  JobSpec spec;
  std::string run_id;
  std::chrono::milliseconds interval{1000};
  std::uint32_t liveness = 3;

  Phase phase = Phase::working;
  StopReason reason = StopReason::none;
  std::string refusal;         // why the broker's work channel refused this worker
  bool report_failed = false;  // the sink cannot write: no acknowledgement will come
  bool no_sink = false;        // the broker runs without a sink (--no-sink): none will come either
  std::size_t undelivered = 0;  // batches the sink never acknowledged
  int stops_handled = 0;
  Clock::time_point flush_deadline{};
  Clock::time_point started_at = Clock::now();
  Drain drain;
  std::uint64_t handed_back = 0;  // assignments handed back to the broker

  Impl(WorkerOptions opts, const StopRequest& stop)
      : options(std::move(opts)),
        stop_request(stop),
        own_context(options.context ? nullptr : std::make_unique<zmq::context_t>(1)),
        context(options.context ? *options.context : *own_context),
        security(options.keys, "worker", options.key_file) {
    // One id per process, even for processes given one name (a copied command
    // line, a nanny's restart): the sink tells records apart by it.
    worker_id = (options.name.empty() ? host_name() : options.name) + "-" + std::to_string(getpid()) + "-" +
                random_hex(2);
    if (options.concurrency == 0) options.concurrency = std::max(1u, std::thread::hardware_concurrency());
    if (!options.metrics.empty()) {
      metrics = std::make_unique<WorkerMetrics>(options.metrics);
      log->info("metrics on {}", metrics->url());
    }
  }

  // ---- start ----

  std::string sink_address(const Address& address) const {
    if (!options.sink.empty()) return options.sink;
    std::string configured = spec.get("job", "sink");
    if (!configured.empty()) return configured;
    if (address.is_ipc()) throw ConfigError("the worker needs --sink when the broker is on ipc://");
    return address.host();
  }

  void connect(const Address& address) {
    broker.emplace(context, security, address, worker_id);
    const Address sink = Address::parse(sink_address(address), kSinkPortBase);
    logs.emplace(context, sink, security.client_of_sink(), worker_id, run_id);
    if (!options.status_endpoint.empty()) {
      SocketOptions status_options;
      status_options.max_message = 4096;
      status.emplace(make_socket(context, zmq::socket_type::rep, status_options));
      status->bind(options.status_endpoint);
    }
    std::set<std::string> input_names;
    for (const auto& [name, path] : spec.shared_inputs()) input_names.insert(name);
    inputs.emplace(context, address.endpoint(kConfigPort, "config"), worker_id, std::move(input_names),
                   security.client_of_broker());
    slots.emplace(spec, options.concurrency, options.spool_bytes, &*inputs, options.fork_server, &stop_request);
  }

  // ---- what comes in ----

  void register_handlers() {
    MessageTable<void()>& work = broker->work_messages;
    work.on<Assign>([this](Assign assignment) {
      if (drain.active) return hand_back_unstarted(assignment);  // sent before the broker knew
      slots->accept(std::move(assignment));
    });
    work.on<Cancel>([this](const Cancel& cancel) { slots->cancel(AssignmentRef{cancel.id, cancel.attempt}); });
    work.on<Kill>(kKillWorker, [this](const Kill& kill) { killed(kill); });
    work.on<Ok>(kStopWorker, [this](const Ok&) { stop(StopReason::finished); });
    work.on<Ok>(kWhoAreYou, [this](const Ok&) {
      log->info("the broker does not know this worker; saying hello again");
      broker->say_hello(static_cast<std::uint32_t>(slots->size()));
    });

    MessageTable<void()>& control = broker->control_messages;
    control.on<ControlHeartbeat>([this](const ControlHeartbeat& hb) {
      if (hb.run_id != run_id) {
        log->error("the broker now runs another run ({}); this worker's run {} is gone", hb.run_id, run_id);
        return stop(StopReason::lost_broker);
      }
      broker->heard(Clock::now());
      if (hb.state == RunState::aborted) stop(StopReason::aborted);
      if (hb.state == RunState::finished) stop(StopReason::finished);
    });
    control.on<Kill>([this](const Kill& kill) {
      if (kill.run_id == run_id) killed(kill);
    });
    control.on<Finish>([this](const Finish& finish) {
      if (finish.run_id == run_id) stop(StopReason::finished);
    });

    reactor.on_fd(slots->events_fd(), [this] { slots->take_events([this](SlotEvent& e) { forward(e); }); });
    reactor.on(broker->work(), [this] { broker->on_work(); });
    reactor.on(broker->control(), [this] { broker->on_control(); });
    reactor.on(logs->subscriptions(), [this] { logs->on_subscription(); });
    reactor.on(logs->acks(), [this] { slots->release(logs->on_ack()); });
    if (status) reactor.on(*status, [this] { answer_status(); });
    reactor.every(interval, [this] { send_heartbeat(); });
    reactor.before_wait([this] { after_events(); });
  }

  void killed(const Kill& kill) {
    report_failed = report_failed || kill.report_failed;
    stop(StopReason::aborted, kill.error);
  }

  // A slot's event goes to the broker (results) or the sink (records).
  void forward(SlotEvent& event) {
    switch (event.kind) {
      case SlotEvent::Kind::started:
        broker->send(Started{kProtocolVersion, event.assignment.id, event.assignment.attempt});
        break;
      case SlotEvent::Kind::records: {
        const std::size_t budget = event.records.size();
        if (metrics) metrics->records_sent(event.record_count);
        logs->append(std::move(event.records), event.record_count, budget);
        break;
      }
      case SlotEvent::Kind::node_failed:
        broker->send(event.failed);
        if (metrics) metrics->node_failed();
        // The broker's kill follows; stopping now saves its round trip.
        if (WalkRules::from(spec).stop_at_failure)
          stop(StopReason::aborted, event.failed.node_id + ": " + event.failed.error);
        break;
      case SlotEvent::Kind::done:
        event.done.last_seq = logs->last_seq();
        if (event.done.handed_back) {
          ++handed_back;
          log->info("handed back the rest of assignment {} after {} node(s)", event.done.id, event.done.nodes);
        }
        broker->send(event.done);
        if (metrics) metrics->assignment_done(event.done.handed_back);
        break;
      case SlotEvent::Kind::exited: break;
    }
  }

  void answer_status() {
    auto frames = receive_frames(*status, 2);
    if (!frames) return;
    WorkerStatusReply reply;
    reply.worker_id = worker_id;
    reply.run_id = run_id;
    reply.slots = static_cast<std::uint32_t>(slots->size());
    reply.running = slots->running();
    reply.broker_silent_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - broker->last_heard()).count();
    reply.orphaned = broker->orphaned();
    reply.last_seq = logs->last_seq();
    reply.acked_seq = logs->acked();
    send_frames(*status, {WorkerStatusReply::kType, encode(reply)});
  }

  void send_heartbeat() {
    Heartbeat hb;
    hb.worker_id = worker_id;
    slots->describe(hb);
    hb.last_seq = logs->last_seq();
    hb.acked_seq = logs->acked();
    hb.aborted = reason == StopReason::aborted;
    broker->send(hb);
  }

  // ---- every turn ----

  void after_events() {
    const auto now = Clock::now();
    if (stop_request.count() != stops_handled) {
      if (stops_handled == 0 && stop_request.signal() == SIGTERM && phase == Phase::working) {
        begin_drain(now, stop_request.reason());
      } else {
        if (stops_handled == 0 || drain.active)
          log->warn("{}: stopping the running nodes and leaving", stop_request.reason());
        stop(StopReason::signal);
      }
      stops_handled = stop_request.count();
    }
    if (options.max_lifetime.count() > 0 && !drain.active && phase == Phase::working &&
        now >= started_at + options.max_lifetime - 2 * options.drain_timeout)
      begin_drain(now, fmt::format("--max-lifetime {} s is near",
                                   std::chrono::duration<double>(options.max_lifetime).count()));
    if (drain.active) advance_drain(now);
    check_broker(now);
    if (auto refused = broker->refusal()) {
      refusal = *refused;
      stop(StopReason::aborted);
    }
    logs->resend_if_stalled(now);
    if (metrics) metrics->update(slots->size(), slots->running(), drain.active, logs->last_seq() - logs->acked());
    if (phase == Phase::closing && slots->all_exited()) {
      slots->join();
      slots->take_events([this](SlotEvent& e) { forward(e); });
      phase = Phase::flushing;
      flush_deadline = now + options.flush_timeout;
    }
    const bool give_up_on_sink = report_failed || no_sink || stops_handled >= 2;
    // The sink is waited for while it acknowledges: flush_timeout counts from its last acknowledgement.
    const bool sink_stalled = now >= std::max(flush_deadline, logs->last_ack_progress() + options.flush_timeout);
    if (phase == Phase::flushing && (logs->all_acknowledged() || sink_stalled || give_up_on_sink)) {
      undelivered = logs->unacknowledged_batches();
      if (undelivered > 0 && !give_up_on_sink)
        log->error("the sink acknowledged nothing for {} s: {} batch(es) not delivered",
                   std::chrono::duration<double>(options.flush_timeout).count(), undelivered);
      broker->send(Bye{kProtocolVersion, worker_id, logs->last_seq(),
                       reason == StopReason::finished  ? "finished"
                       : reason == StopReason::drained ? "drained"
                                                       : "stopped"});
      phase = Phase::gone;
    }
    reactor.set_longest_wait(std::chrono::milliseconds(phase != Phase::working ? 20 : drain.active ? 100 : 1000));
  }

  // ---- a drain ----

  void begin_drain(Clock::time_point now, const std::string& why) {
    drain.active = true;
    drain.hand_back_at = now + options.drain_timeout;
    drain.interrupt_at = now + 2 * options.drain_timeout;
    const std::vector<Assign> unstarted = slots->drain();
    for (const Assign& assignment : unstarted) hand_back_unstarted(assignment);
    // An idle worker's drain is uneventful (a late `ramify run` worker, a scale-down): info, not a warning.
    const auto level = unstarted.empty() && slots->running() == 0 ? spdlog::level::info : spdlog::level::warn;
    log->log(level, "{}: draining: no new work, {} unstarted assignment(s) handed back, {} running for up to {} s", why,
             unstarted.size(), slots->running(), std::chrono::duration<double>(options.drain_timeout).count());
    send_heartbeat();  // the broker stops dispatching here now
  }

  void advance_drain(Clock::time_point now) {
    if (phase != Phase::working) return;
    if (slots->idle()) {
      log->info("drained: {} assignment(s) handed back; leaving", handed_back);
      return stop(StopReason::drained);
    }
    if (!drain.handing_back && now >= drain.hand_back_at) {
      drain.handing_back = true;
      log->warn("drain timeout: the running assignments end after their node in progress; the rest is handed back");
      slots->hand_back_running();
    }
    if (!drain.interrupted && now >= drain.interrupt_at) {
      drain.interrupted = true;
      log->warn("the nodes in progress did not end within the drain timeout; interrupting them (they run again elsewhere)");
      slots->cancel_running();
    }
  }

  // An assignment this worker will not start goes back as it came (a resumed
  // one keeps its resume point); the broker dispatches it again at once.
  void hand_back_unstarted(const Assign& assignment) {
    Done back;
    back.id = assignment.id;
    back.attempt = assignment.attempt;
    back.complete = false;
    back.handed_back = true;
    back.resume_visits = assignment.skip;
    back.resume_data = assignment.resume_data;
    back.last_seq = logs->last_seq();
    broker->send(back);
    ++handed_back;
    if (metrics) metrics->assignment_done(true);
  }

  // The broker silent for its liveness window: stop what runs and wait for it
  // (up to --broker-wait) before leaving.
  void check_broker(Clock::time_point now) {
    if (phase != Phase::working) return;
    if (broker->fell_silent(now, interval * liveness)) {
      log->error("no word from the broker for {} ms; stopping the running assignments and waiting up to {} s for it",
                 (interval * liveness).count(), options.broker_wait.count() / 1000);
      slots->cancel_running();
    }
    if (broker->orphaned() && broker->orphaned_for(now) > options.broker_wait) {
      log->error("the broker did not come back; leaving");
      stop(StopReason::lost_broker);
    }
  }

  void stop(StopReason why, const std::string& kill_reason = {}) {
    if (reason != StopReason::none) return;
    reason = why;
    // Info: the failure is on the console once already (the sink prints it), and the broker says the run stops.
    if (!kill_reason.empty()) log->info("killed: {}", kill_reason);
    slots->close(/*abort=*/why != StopReason::finished && why != StopReason::drained);
    phase = Phase::closing;
  }

  // ---- the run ----

  int run() {
    const Address address = Address::parse(options.broker, kBrokerPortBase);
    std::optional<SpecReply> reply =
        fetch_spec(context, security, address, worker_id, options.connect_timeout, stop_request);
    if (!reply) return stop_request.exit_status();
    run_id = reply->run_id;
    no_sink = reply->no_sink;
    if (reply->state == RunState::aborted) {
      log->warn("run {} was aborted before this worker started; leaving", run_id);
      return kWorkerAborted;
    }
    if (reply->state == RunState::finished) {
      log->info("run {} is already finished; leaving", run_id);
      return kWorkerFinished;
    }
    spec = JobSpec::from_entries(reply->entries);
    spec.validate();
    make_curator(spec);  // a curator this worker cannot build is a config error, before any slot starts
    interval = spec.heartbeat_interval();
    liveness = spec.liveness();
    connect(address);
    register_handlers();
    slots->start();
    broker->say_hello(static_cast<std::uint32_t>(slots->size()));
    log->info("worker {} runs {} slot(s) for run {}", worker_id, slots->size(), run_id);
    broker->heard(Clock::now());

    reactor.run_until([this] { return phase == Phase::gone; });

    if (!refusal.empty()) throw ConfigError(refusal);  // every slot has ended: say why, exit 2
    switch (reason) {
      case StopReason::finished:
      case StopReason::drained: return undelivered > 0 && !no_sink ? kWorkerLostSink : kWorkerFinished;
      case StopReason::lost_broker: return kWorkerLostBroker;
      case StopReason::signal: return stop_request.exit_status();
      default: return kWorkerAborted;
    }
  }
};

Worker::Worker(WorkerOptions options) : impl_(std::make_unique<Impl>(std::move(options), stop_)) {}
Worker::~Worker() = default;
int Worker::run() { return impl_->run(); }

}  // namespace ramify
