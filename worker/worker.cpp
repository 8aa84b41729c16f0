#include "worker/worker.hpp"

#include <unistd.h>

#include <deque>
#include <thread>

#include "common/address.hpp"
#include "common/codec.hpp"
#include "common/config_client.hpp"
#include "common/handshake_watch.hpp"
#include "common/job_spec.hpp"
#include "common/logging.hpp"
#include "common/security.hpp"
#include "common/sockets.hpp"
#include "worker/curator_factory.hpp"
#include "worker/event_queue.hpp"
#include "worker/input_cache.hpp"
#include "worker/log_spool.hpp"
#include "worker/node_runner.hpp"
#include "worker/process_slot.hpp"
#include "worker/thread_slot.hpp"

namespace ramify {

namespace {

using Clock = std::chrono::steady_clock;

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

enum class Phase { working, closing, flushing, gone };
enum class StopReason { none, finished, aborted, lost_broker, signal };

constexpr std::chrono::milliseconds kRetransmitAfter{1000};

}  // namespace

struct Worker::Impl {
  WorkerOptions options;
  std::string worker_id;
  std::shared_ptr<spdlog::logger> log = logger("worker");

  zmq::context_t context{1};
  Security security;
  std::optional<zmq::socket_t> work;     // DEALER to the broker's ROUTER
  std::optional<zmq::socket_t> control;  // SUB to the broker's PUB
  std::optional<zmq::socket_t> logs;     // XPUB to the sink's SUB
  std::optional<zmq::socket_t> acks;     // SUB to the sink's PUB
  std::optional<zmq::socket_t> status;   // REP on the status endpoint, when asked for
  std::unique_ptr<HandshakeWatch> work_watch;  // until the work channel's handshake succeeded
  std::string refusal;                         // why the broker's work channel refused this worker

  JobSpec spec;
  std::string run_id;
  std::chrono::milliseconds interval{1000};
  std::uint32_t liveness = 3;

  // The job's shared inputs, fetched once by whichever slot asks first.
  class CachedInputs : public InputProvider {
   public:
    explicit CachedInputs(std::optional<InputCache>& cache) : cache_(cache) {}
    std::string input_path(const std::string& name) override { return cache_->path(name); }

   private:
    std::optional<InputCache>& cache_;
  };
  std::optional<InputCache> inputs;
  CachedInputs input_provider{inputs};
  std::unique_ptr<EventQueue> events;
  std::vector<std::unique_ptr<Slot>> slots;
  std::deque<Assign> waiting;  // accepted assignments waiting for a free slot
  std::size_t slots_exited = 0;
  LogSpool spool;
  std::uint64_t next_seq = 1;
  bool sink_subscribed = false;
  Clock::time_point last_ack_progress = Clock::now();
  Clock::time_point last_resend = Clock::now();
  Clock::time_point broker_seen = Clock::now();

  Phase phase = Phase::working;
  StopReason reason = StopReason::none;
  bool report_failed = false;  // the sink cannot write: no acknowledgement will come
  bool no_sink = false;        // the broker runs without a sink (--no-sink): none will come either
  std::size_t undelivered = 0;  // batches the sink never acknowledged
  int stops_handled = 0;
  bool orphaned = false;  // the broker fell silent; waiting for it to come back
  Clock::time_point orphaned_since{};
  std::uint64_t bad_messages = 0;

  explicit Impl(WorkerOptions opts) : options(std::move(opts)), security(options.keys, "worker", options.key_file) {
    // One id per process, even for processes given one name (a copied command
    // line, a nanny's restart): the sink tells records apart by it.
    worker_id = (options.name.empty() ? host_name() : options.name) + "-" + std::to_string(getpid()) + "-" +
                random_hex(2);
    if (options.concurrency == 0) options.concurrency = std::max(1u, std::thread::hardware_concurrency());
  }

  // ---- start ----

  // Asks the broker's config service for the spec until it answers or the
  // connect timeout passes (longer waits each try: a slow link still joins).
  std::optional<SpecReply> fetch_spec(const Address& broker, const StopRequest& stop_request) {
    ConfigClient client(context, broker.endpoint(kConfigPort, "config"), std::chrono::milliseconds(1000), 1,
                        security.client_of_broker(), "broker");
    client.set_interrupt(&stop_request.requested());
    try {
      return client.call_until<SpecReply>(SpecRequest{kProtocolVersion, worker_id},
                                          Clock::now() + options.connect_timeout,
                                          [&] { log->info("waiting for the broker at {}", broker.text()); });
    } catch (const TimeoutError&) {
      if (stop_request.count() > 0) return std::nullopt;
      throw TimeoutError("the broker at " + broker.text() + " did not answer within " +
                         std::to_string(options.connect_timeout.count() / 1000) + " s");
    }
  }

  std::string sink_address(const Address& broker) const {
    if (!options.sink.empty()) return options.sink;
    std::string configured = spec.get("job", "sink");
    if (!configured.empty()) return configured;
    if (broker.is_ipc()) throw ConfigError("the worker needs --sink when the broker is on ipc://");
    return broker.host();
  }

  void connect(const Address& broker, const Address& sink) {
    SocketOptions work_options;
    work_options.max_message = kMaxWorkMessage;
    work_options.immediate = false;  // HELLO waits in the pipe until the connection is up
    work_options.linger = std::chrono::milliseconds(500);
    work_options.curve = security.client_of_broker();
    work.emplace(make_socket(context, zmq::socket_type::dealer, work_options));
    work->set(zmq::sockopt::routing_id, worker_id);
    work_watch = std::make_unique<HandshakeWatch>(context, *work, "the broker at " + broker.endpoint(kWorkPort, "work"),
                                                  security.enabled());
    work->connect(broker.endpoint(kWorkPort, "work"));

    SocketOptions control_options;
    control_options.max_message = kMaxControlMessage;
    control_options.immediate = false;
    control_options.curve = security.client_of_broker();
    control.emplace(make_socket(context, zmq::socket_type::sub, control_options));
    for (const char* topic : {ControlHeartbeat::kType, Kill::kType, Finish::kType})
      control->set(zmq::sockopt::subscribe, topic);
    control->connect(broker.endpoint(kControlPort, "control"));

    SocketOptions log_options;
    log_options.max_message = 1024;  // only subscription messages come back
    log_options.send_hwm = 100000;
    log_options.immediate = false;
    log_options.linger = std::chrono::milliseconds(500);
    log_options.curve = security.client_of_sink();
    logs.emplace(make_socket(context, zmq::socket_type::xpub, log_options));
    logs->set(zmq::sockopt::xpub_verbose, 1);  // a restarted sink's subscription must reach us
    logs->connect(sink.endpoint(kLogsPort, "logs"));

    SocketOptions ack_options;
    ack_options.max_message = kMaxControlMessage;
    ack_options.immediate = false;
    ack_options.curve = security.client_of_sink();
    acks.emplace(make_socket(context, zmq::socket_type::sub, ack_options));
    acks->set(zmq::sockopt::subscribe, std::string(LogAck::kType) + worker_id);
    acks->connect(sink.endpoint(kTailPort, "tail"));

    if (!options.status_endpoint.empty()) {
      SocketOptions status_options;
      status_options.max_message = 4096;
      status.emplace(make_socket(context, zmq::socket_type::rep, status_options));
      status->bind(options.status_endpoint);
    }
  }

  void on_status_request() {
    auto frames = receive_frames(*status, 2);
    if (!frames) return;
    WorkerStatusReply reply;
    reply.worker_id = worker_id;
    reply.run_id = run_id;
    reply.slots = static_cast<std::uint32_t>(slots.size());
    for (auto& slot : slots) reply.running += slot->running ? 1u : 0u;
    reply.broker_silent_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - broker_seen).count();
    reply.orphaned = orphaned;
    reply.last_seq = next_seq - 1;
    reply.acked_seq = spool.acked();
    send_frames(*status, {WorkerStatusReply::kType, encode(reply)});
  }

  template <class T>
  void send_broker(const T& message) {
    send_frames(*work, {T::kType, encode(message)});
  }

  void say_hello() {
    Hello hello;
    hello.worker_id = worker_id;
    hello.host = host_name();
    hello.pid = getpid();
    hello.slots = static_cast<std::uint32_t>(slots.size());
    send_broker(hello);
  }

  // ---- the broker's presence ----

  void heard_broker() {
    broker_seen = Clock::now();
    if (!orphaned) return;
    orphaned = false;
    log->info("the broker is back; joining it again");
    say_hello();
  }

  void check_broker(Clock::time_point now) {
    if (phase != Phase::working) return;
    if (!orphaned && now - broker_seen > interval * liveness) {
      log->error("no word from the broker for {} ms; stopping the running assignments and waiting up to {} s for it",
                 (interval * liveness).count(), options.broker_wait.count() / 1000);
      orphaned = true;
      orphaned_since = now;
      waiting.clear();
      for (auto& slot : slots) slot->cancel_running();
    }
    if (orphaned && now - orphaned_since > options.broker_wait) {
      log->error("the broker did not come back; leaving");
      stop(StopReason::lost_broker);
    }
  }

  // The config service admitted us, but the work channel may not (a key of
  // another role): say so and leave rather than wait for a broker that is there.
  void check_work_handshake() {
    if (!work_watch) return;
    if (auto failure = work_watch->failure()) {
      work_watch.reset();
      refusal = *failure;
      stop(StopReason::aborted);
      return;
    }
    if (work_watch->connected()) work_watch.reset();
  }

  // ---- stopping ----

  void stop(StopReason why, const std::string& kill_reason = {}) {
    if (reason != StopReason::none) return;
    reason = why;
    waiting.clear();
    // Info: the failure is on the console once already (the sink prints it), and the broker says the run stops.
    if (!kill_reason.empty()) log->info("killed: {}", kill_reason);
    const bool abort = why != StopReason::finished;
    for (auto& slot : slots) {
      if (abort) slot->cancel_all();
      slot->close(/*finalize=*/!abort);
    }
    events->stop_waiting();  // what is left to log is bounded; never block the stop on it
    phase = Phase::closing;
  }

  // Hands waiting assignments to idle slots.
  void start_waiting() {
    for (auto& slot : slots) {
      if (waiting.empty()) return;
      if (slot->running) continue;
      slot->curated = slot->curated_skipped = 0;
      slot->assign(std::move(waiting.front()));
      waiting.pop_front();
    }
  }

  // ---- events from the slots ----

  void on_events() {
    for (SlotEvent& event : events->take_all()) {
      switch (event.kind) {
        case SlotEvent::Kind::started:
          send_broker(Started{kProtocolVersion, event.assignment.id, event.assignment.attempt});
          break;
        case SlotEvent::Kind::records: {
          LogBatch batch;
          batch.run_id = run_id;
          batch.worker_id = worker_id;
          batch.first_seq = next_seq;
          batch.count = event.record_count;
          batch.records = std::move(event.records);
          next_seq += event.record_count;
          if (slots[event.slot]->running) {  // finalize's records come after the slot's last assignment
            slots[event.slot]->curated += event.outcomes;
            slots[event.slot]->curated_skipped += event.skipped_outcomes;
          }
          SpooledBatch spooled{batch.first_seq, batch.count, encode(batch), batch.records.size()};
          if (sink_subscribed) send_frames(*logs, {LogBatch::kType, spooled.message});
          spool.append(std::move(spooled));
          break;
        }
        case SlotEvent::Kind::node_failed:
          send_broker(event.failed);
          // The broker's kill follows; stopping now saves its round trip.
          if (WalkRules::from(spec).stop_at_failure)
            stop(StopReason::aborted, event.failed.node_id + ": " + event.failed.error);
          break;
        case SlotEvent::Kind::done:
          event.done.last_seq = next_seq - 1;
          slots[event.slot]->running.reset();
          send_broker(event.done);
          if (phase == Phase::working) start_waiting();
          break;
        case SlotEvent::Kind::exited:
          ++slots_exited;
          break;
      }
    }
  }

  // ---- sockets ----

  void bad_message(const std::string& what) {
    ++bad_messages;
    if (bad_messages <= 10) log->warn("dropped a bad message: {}", what);
  }

  void on_work_message() {
    auto frames = receive_frames(*work, 2);
    if (!frames) return;
    if (frames->size() != 2) return bad_message("work message with the wrong number of frames");
    heard_broker();
    const std::string type = frame_text((*frames)[0]);
    try {
      if (type == Assign::kType) {
        Assign assignment = decode<Assign>((*frames)[1].to_string_view());
        if (phase != Phase::working) return;
        // A slot may still be finishing a cancelled assignment: the new one waits for it.
        waiting.push_back(std::move(assignment));
        start_waiting();
      } else if (type == Cancel::kType) {
        Cancel cancel = decode<Cancel>((*frames)[1].to_string_view());
        std::erase_if(waiting, [&](const Assign& a) { return a.id == cancel.id && a.attempt == cancel.attempt; });
        for (auto& slot : slots) slot->cancel(AssignmentRef{cancel.id, cancel.attempt});
      } else if (type == kKillWorker) {
        Kill kill = decode<Kill>((*frames)[1].to_string_view());
        report_failed = report_failed || kill.report_failed;
        stop(StopReason::aborted, kill.error);
      } else if (type == kStopWorker) {
        stop(StopReason::finished);
      } else if (type == kWhoAreYou) {
        log->info("the broker does not know this worker; saying hello again");
        say_hello();
      } else {
        bad_message("unknown work message '" + type + "'");
      }
    } catch (const DecodeError& e) {
      bad_message(e.what());
    }
  }

  void on_control_message() {
    auto frames = receive_frames(*control, 2);
    if (!frames) return;
    if (frames->size() != 2) return bad_message("control message with the wrong number of frames");
    const std::string topic = frame_text((*frames)[0]);
    try {
      if (topic == ControlHeartbeat::kType) {
        ControlHeartbeat hb = decode<ControlHeartbeat>((*frames)[1].to_string_view());
        if (hb.run_id != run_id) {
          log->error("the broker now runs another run ({}); this worker's run {} is gone", hb.run_id, run_id);
          stop(StopReason::lost_broker);
          return;
        }
        heard_broker();
        if (hb.state == RunState::aborted) stop(StopReason::aborted);
        if (hb.state == RunState::finished) stop(StopReason::finished);
      } else if (topic == Kill::kType) {
        Kill kill = decode<Kill>((*frames)[1].to_string_view());
        if (kill.run_id != run_id) return;
        report_failed = report_failed || kill.report_failed;
        stop(StopReason::aborted, kill.error);
      } else if (topic == Finish::kType) {
        if (decode<Finish>((*frames)[1].to_string_view()).run_id == run_id) stop(StopReason::finished);
      }
    } catch (const DecodeError& e) {
      bad_message(e.what());
    }
  }

  void resend_spool() {
    for (const auto& batch : spool.batches()) send_frames(*logs, {LogBatch::kType, batch.message});
    last_resend = Clock::now();
  }

  void on_subscription() {
    auto frames = receive_frames(*logs, 1);
    if (!frames || frames->size() != 1 || (*frames)[0].size() == 0) return;
    const auto* bytes = static_cast<const unsigned char*>((*frames)[0].data());
    if (bytes[0] == 1) {
      log->debug("the sink subscribed; sending {} unacknowledged batch(es)", spool.batches().size());
      sink_subscribed = true;
      resend_spool();
    } else if (bytes[0] == 0) {
      sink_subscribed = false;
    }
  }

  void on_ack() {
    auto frames = receive_frames(*acks, 2);
    if (!frames || frames->size() != 2) return;
    try {
      LogAck ack = decode<LogAck>((*frames)[1].to_string_view());
      if (ack.worker_id != worker_id || ack.seq <= spool.acked()) return;
      events->release(spool.acknowledge(ack.seq));
      last_ack_progress = Clock::now();
    } catch (const DecodeError& e) {
      bad_message(e.what());
    }
  }

  void send_heartbeat() {
    Heartbeat hb;
    hb.worker_id = worker_id;
    std::uint32_t idle = 0;
    for (auto& slot : slots) {
      if (slot->running) {
        hb.running.push_back(*slot->running);
        hb.counts.push_back(AssignmentCounts{slot->running->id, slot->running->attempt, slot->curated,
                                             slot->curated_skipped});
      } else {
        ++idle;
      }
    }
    for (const Assign& a : waiting) hb.running.push_back(AssignmentRef{a.id, a.attempt});
    hb.free_slots = phase == Phase::working && idle > waiting.size() ? idle - static_cast<std::uint32_t>(waiting.size()) : 0;
    hb.last_seq = next_seq - 1;
    hb.acked_seq = spool.acked();
    hb.aborted = reason == StopReason::aborted;
    send_broker(hb);
  }

  // ---- the loop ----

  int run(const StopRequest& stop_request) {
    const Address broker = Address::parse(options.broker, kBrokerPortBase);
    std::optional<SpecReply> fetched = fetch_spec(broker, stop_request);
    if (!fetched) return stop_request.exit_status();
    SpecReply& reply = *fetched;
    run_id = reply.run_id;
    no_sink = reply.no_sink;
    if (reply.state == RunState::aborted) {
      log->warn("run {} was aborted before this worker started; leaving", run_id);
      return kWorkerAborted;
    }
    if (reply.state == RunState::finished) {
      log->info("run {} is already finished; leaving", run_id);
      return kWorkerFinished;
    }
    spec = JobSpec::from_entries(reply.entries);
    spec.validate();
    make_curator(spec);  // a curator this worker cannot build is a config error, before any slot starts
    interval = spec.heartbeat_interval();
    liveness = spec.liveness();
    const Address sink = Address::parse(sink_address(broker), kSinkPortBase);
    connect(broker, sink);

    std::set<std::string> input_names;
    for (const auto& [name, path] : spec.section("inputs")) input_names.insert(name);
    inputs.emplace(context, broker.endpoint(kConfigPort, "config"), worker_id, std::move(input_names),
                   security.client_of_broker());
    events = std::make_unique<EventQueue>(options.spool_bytes);
    const bool processes = spec.get("job", "isolation") == "process";
    if (processes && !options.fork_server)
      throw ConfigError("isolation = process needs the worker's fork server (ramify worker starts one)");
    for (std::size_t i = 0; i < options.concurrency; ++i) {
      if (processes) {
        slots.push_back(std::make_unique<ProcessSlot>(i, spec, *events, &input_provider, *options.fork_server));
      } else {
        slots.push_back(std::make_unique<ThreadSlot>(i, spec, *events, &input_provider));
      }
    }
    for (auto& slot : slots) slot->start();
    say_hello();
    log->info("worker {} runs {} slot(s) for run {}", worker_id, slots.size(), run_id);

    broker_seen = Clock::now();
    auto next_beat = Clock::now();
    Clock::time_point flush_deadline{};
    while (phase != Phase::gone) {
      const auto now = Clock::now();
      if (stop_request.count() != stops_handled) {
        if (stops_handled == 0) log->warn("{}: stopping the running nodes and leaving", stop_request.reason());
        stop(StopReason::signal);
        stops_handled = stop_request.count();
      }
      check_broker(now);
      check_work_handshake();
      if (now >= next_beat) {
        send_heartbeat();
        next_beat = now + interval;
      }
      if (!spool.empty() && sink_subscribed && now - last_ack_progress > kRetransmitAfter &&
          now - last_resend > kRetransmitAfter)
        resend_spool();
      if (phase == Phase::closing && slots_exited == slots.size()) {
        for (auto& slot : slots) slot->join();
        on_events();
        phase = Phase::flushing;
        flush_deadline = now + options.flush_timeout;
      }
      const bool give_up_on_sink = report_failed || no_sink || stops_handled >= 2;
      if (phase == Phase::flushing && (spool.empty() || now >= flush_deadline || give_up_on_sink)) {
        undelivered = spool.batches().size();
        if (undelivered > 0 && !give_up_on_sink)
          log->error("the sink did not acknowledge {} batch(es) within {} s", undelivered,
                     std::chrono::duration<double>(options.flush_timeout).count());
        send_broker(Bye{kProtocolVersion, worker_id, next_seq - 1, reason == StopReason::finished ? "finished" : "stopped"});
        phase = Phase::gone;
        break;
      }

      std::vector<zmq::pollitem_t> items{{work->handle(), 0, ZMQ_POLLIN, 0},
                                         {control->handle(), 0, ZMQ_POLLIN, 0},
                                         {logs->handle(), 0, ZMQ_POLLIN, 0},
                                         {acks->handle(), 0, ZMQ_POLLIN, 0},
                                         {nullptr, events->fd(), ZMQ_POLLIN, 0}};
      if (status) items.push_back({status->handle(), 0, ZMQ_POLLIN, 0});
      auto wait = std::min(until(next_beat), std::chrono::milliseconds(phase == Phase::working ? 1000 : 20));
      poll_items(items, wait);
      if (items[4].revents & ZMQ_POLLIN) on_events();
      if (items[0].revents & ZMQ_POLLIN) drain(*work, [&] { on_work_message(); });
      if (items[1].revents & ZMQ_POLLIN) drain(*control, [&] { on_control_message(); });
      if (items[2].revents & ZMQ_POLLIN) drain(*logs, [&] { on_subscription(); });
      if (items[3].revents & ZMQ_POLLIN) drain(*acks, [&] { on_ack(); });
      if (status && (items[5].revents & ZMQ_POLLIN)) on_status_request();
    }

    if (!refusal.empty()) throw ConfigError(refusal);  // every slot has ended: say why, exit 2
    switch (reason) {
      case StopReason::finished: return undelivered > 0 && !no_sink ? kWorkerLostSink : kWorkerFinished;
      case StopReason::lost_broker: return kWorkerLostBroker;
      case StopReason::signal: return stop_request.exit_status();
      default: return kWorkerAborted;
    }
  }

  // Handles up to 1000 waiting messages of one socket.
  template <class Handler>
  static void drain(zmq::socket_t& socket, Handler handler) {
    for (int i = 0; i < 1000; ++i) {
      if (!(socket.get(zmq::sockopt::events) & ZMQ_POLLIN)) break;
      handler();
    }
  }
};

Worker::Worker(WorkerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Worker::~Worker() = default;
int Worker::run() { return impl_->run(stop_); }

}  // namespace ramify
