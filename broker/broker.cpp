#include "broker/broker.hpp"

#include <unistd.h>

#include <zmq.hpp>

#include "broker/input_store.hpp"
#include "broker/journal.hpp"
#include "broker/partitioner.hpp"
#include "broker/scheduler.hpp"
#include "broker/sink_watch.hpp"
#include "common/address.hpp"
#include "common/codec.hpp"
#include "common/security.hpp"
#include "common/logging.hpp"
#include "common/sockets.hpp"
#include "common/source_factory.hpp"
#include "worker/curator_factory.hpp"
#include "worker/node_context.hpp"

namespace ramify {

namespace {
constexpr std::uint32_t kSpecVersion = 1;
}  // namespace

struct Broker::Impl {
  BrokerOptions options;
  std::string run_id;
  std::shared_ptr<spdlog::logger> log = logger("broker");
  OpenedSource source;
  std::unique_ptr<Journal> journal;
  std::unique_ptr<Scheduler> scheduler;
  InputStore inputs;
  std::set<std::pair<std::string, std::string>> inputs_served;  // (worker, input)
  std::vector<LogRecord> final_records;  // what the curator's finalize_run logged
  std::chrono::milliseconds interval;

  // The context is declared before the sockets so that it outlives them.
  zmq::context_t context{1};
  std::unique_ptr<Security> security;  // before the sockets: its ZAP handler outlives them
  zmq::socket_t work;     // ROUTER
  zmq::socket_t config;   // REP
  zmq::socket_t control;  // XPUB: a PUB that also sees each new subscriber

  bool kill_sent = false;
  SinkWatch sink{""};
  Clock::time_point sink_deadline{};
  Clock::time_point workerless_since{};  // since when no worker has been alive (fail_without_workers)
  int stops_handled = 0;
  bool leave_now = false;  // a second stop: no more waiting for anyone
  std::uint64_t bad_messages = 0;
  std::uint64_t refused_requests = 0;
  std::map<std::string, std::string> worker_keys;  // worker id -> the key that first used it
  Clock::time_point started_at = Clock::now();
  std::unique_ptr<Progress> progress;

  explicit Impl(BrokerOptions opts) : options(std::move(opts)), run_id(random_hex(8)), inputs(options.spec) {
    options.spec.validate();
    interval = options.spec.heartbeat_interval();
    // Bound before the hierarchy is read (a big manifest takes a while), so that
    // workers connect at once and their first requests wait in the queues.
    Address address = Address::parse(options.bind, kBrokerPortBase);
    const std::string keys = options.keys.empty() ? options.spec.get("job", "keys") : options.keys;
    security = std::make_unique<Security>(keys, "broker");
    check_exposure(*security, options.require_auth || options.spec.get("job", "require_auth") == "true",
                   options.bind, "broker");
    // Each socket admits only the keys whose role may use it.
    SocketOptions work_options;
    work_options.curve = security->server(context, "broker.work", {KeyRole::worker});
    work_options.max_message = kMaxConfigMessage;
    work_options.linger = std::chrono::milliseconds(200);
    work = make_socket(context, zmq::socket_type::router, work_options);
    work.set(zmq::sockopt::router_mandatory, 1);
    work.set(zmq::sockopt::router_handover, 1);
    work.bind(address.endpoint(kWorkPort, "work"));

    SocketOptions config_options;
    config_options.max_message = kMaxConfigMessage;
    config_options.curve = security->server(context, "broker.config", {KeyRole::worker, KeyRole::sink, KeyRole::client});
    config = make_socket(context, zmq::socket_type::rep, config_options);
    config.bind(address.endpoint(kConfigPort, "config"));

    SocketOptions control_options;
    control_options.linger = std::chrono::milliseconds(200);
    control_options.send_hwm = 10000;
    control_options.max_message = 1024;  // subscriptions only
    control_options.curve = security->server(context, "broker.control", {KeyRole::worker, KeyRole::sink});
    control = make_socket(context, zmq::socket_type::xpub, control_options);
    control.set(zmq::sockopt::xpub_verbose, 1);
    control.bind(address.endpoint(kControlPort, "control"));

    source = open_source(options.spec);
    PartitionOptions partitioning;
    partitioning.depth = options.spec.partition_depth();
    const std::string split = options.spec.get("job", "split");
    partitioning.split = split == "on" || (split == "auto" && source.manifest);
    partitioning.split_above = parse_count(options.spec.get("job", "split_above"), "job.split_above");
    partitioning.with_nodes = false;  // a manifest's nodes are gathered when an assignment goes out
    auto assignments = partition(*source.source, partitioning, source.manifest);

    std::vector<RestoredAssignment> restored;
    const std::string journal_path = options.spec.get("job", "journal");
    if (!journal_path.empty()) {
      journal = std::make_unique<Journal>(journal_path, job_digest(options.spec));
      const bool same_run = journal->run_id() && !journal->run_ended();
      if (same_run) run_id = *journal->run_id();
      restored = restore_from(*journal, assignments, same_run);
    }

    SchedulerPolicy policy;
    policy.on_failure = options.spec.on_failure();
    policy.max_failures = options.spec.max_failures();
    policy.max_attempts = options.spec.max_attempts();
    policy.worker_timeout = interval * options.spec.liveness();
    policy.dispatch_grace = interval * 2;
    scheduler = std::make_unique<Scheduler>(std::move(assignments), policy, restored);
    if (journal) {
      journal->begin_run(run_id, scheduler->assignments());
      if (!restored.empty())
        log->info("journal {}: {} of {} assignment(s) already done{}", journal->path(),
                  scheduler->count(AssignmentState::done), scheduler->assignments().size(),
                  scheduler->skipped_from_earlier_run() > 0 ? " by an earlier run, skipped" : ", resuming the run");
    }

    sink = SinkWatch(run_id);
    sink_deadline = Clock::now() + options.sink_timeout;
    workerless_since = Clock::now();
    log->info("run {}: {} assignment(s), listening on {}", run_id, scheduler->assignments().size(), address.text());
    const bool often = options.progress == Progress::Mode::line || options.progress == Progress::Mode::feed;
    progress = std::make_unique<Progress>(options.progress,
                                          often ? std::chrono::milliseconds(200) : options.progress_interval,
                                          options.progress == Progress::Mode::feed ? stdout : stderr);
  }

  // ---- sending ----

  void send_to_worker(const std::string& worker, const std::string& type, const std::string& body) {
    try {
      if (!send_frames(work, {worker, type, body})) {
        log->warn("worker {} is not reading; {} dropped", worker, type);
      }
    } catch (const zmq::error_t& e) {
      if (e.num() != EHOSTUNREACH) throw;
      log->warn("worker {} is unreachable", worker);
      scheduler->worker_lost(worker, "it is unreachable");
    }
  }

  template <class T>
  void publish(const T& message) {
    send_frames(control, {T::kType, encode(message)});
  }

  void dispatch() {
    for (const Dispatch& d : scheduler->next_dispatches(Clock::now())) {
      const AssignmentStatus& a = scheduler->assignments()[d.assignment];
      Assign message;
      message.run_id = run_id;
      message.id = d.assignment;
      message.attempt = d.attempt;
      message.kind = a.spec.kind;
      message.root = a.spec.root;
      message.ancestors = a.spec.ancestors;
      message.order = options.spec.order();
      message.spec_version = kSpecVersion;
      if (source.manifest) message.nodes = assignment_nodes(a.spec, *source.manifest);
      message.data = scheduler->data_for(d.assignment);
      log->debug("assignment {} attempt {} ({}) -> {}", d.assignment, d.attempt, a.spec.root.id, d.worker);
      send_to_worker(d.worker, Assign::kType, encode(message));
    }
  }

  void publish_heartbeat() {
    ControlHeartbeat hb;
    hb.run_id = run_id;
    hb.state = scheduler->state();
    hb.spec_version = kSpecVersion;
    hb.idle_slots = scheduler->idle_slots();
    hb.queued = scheduler->queued();
    publish(hb);
  }

  // Sends the kill once, as soon as the run is aborted: on the control topic
  // and directly to every live worker (a late subscriber may miss the topic).
  void broadcast_kill_if_aborted() {
    if (kill_sent || scheduler->state() != RunState::aborted) return;
    kill_sent = true;
    Kill kill;
    kill.run_id = run_id;
    kill.error = scheduler->first_failure();
    kill.report_failed = !sink.error().empty();
    // The failure itself is on the console already (the sink prints it): this says what happens now.
    log->error("run aborted: {}; stopping every worker", scheduler->stop_reason());
    publish(kill);
    const std::string body = encode(kill);
    for (const auto& worker : scheduler->live_workers()) send_to_worker(worker, kKillWorker, body);
  }

  // ---- receiving ----

  void bad_message(const std::string& what) {
    ++bad_messages;
    if (bad_messages <= 10) log->warn("dropped a bad message: {}", what);
  }

  // Something an admitted key may not do: counted, logged (the first ten), never acted on.
  void refused(const Peer& peer, const std::string& what) {
    ++refused_requests;
    if (refused_requests <= 10) log->warn("refused {} from {}", what, peer.describe());
  }

  // What each role may ask of the config service (without keys, anyone may ask anything).
  static bool may_ask(const Peer& peer, const std::string& type) {
    if (!peer.role) return true;
    switch (*peer.role) {
      case KeyRole::worker: return type == SpecRequest::kType || type == InputRequest::kType;
      case KeyRole::sink:
        return type == SpecRequest::kType || type == InputRequest::kType || type == SinkBeat::kType ||
               type == ReportDone::kType;
      case KeyRole::client: return type == StatusRequest::kType;
    }
    return false;
  }

  void on_work_message() {
    auto frames = receive_frames(work, 3);
    if (!frames) return;
    if (frames->size() != 3) return bad_message("work message with " + std::to_string(frames->size()) + " frames");
    const std::string worker = frame_text((*frames)[0]);
    const std::string type = frame_text((*frames)[1]);
    const std::string body = frame_text((*frames)[2]);
    const auto now = Clock::now();
    // A worker's id is bound to the key that first used it: no key speaks for another's worker.
    const Peer peer = peer_of((*frames)[1]);
    if (peer.role) {
      const auto [bound, fresh] = worker_keys.emplace(worker, peer.key);
      if (!fresh && bound->second != peer.key)
        return refused(peer, "a message for worker " + worker + ", whose id belongs to another key");
    }
    try {
      if (type == Hello::kType) {
        Hello hello = decode<Hello>(body);
        if (hello.worker_id != worker) return bad_message("HELLO from " + worker + " names " + hello.worker_id);
        scheduler->hello(hello, now);
        log->info("worker {} joined ({} slot(s), host {}, pid {})", worker, hello.slots, hello.host, hello.pid);
        if (scheduler->state() == RunState::aborted)
          send_to_worker(worker, kKillWorker,
                         encode(Kill{kProtocolVersion, run_id, "", scheduler->first_failure(), !sink.error().empty()}));
      } else if (type == Heartbeat::kType) {
        bool known = false;
        for (const AssignmentRef& ref : scheduler->heartbeat(decode<Heartbeat>(body), now, known))
          send_to_worker(worker, Cancel::kType, encode(Cancel{kProtocolVersion, ref.id, ref.attempt}));
        if (!known) send_to_worker(worker, kWhoAreYou, encode(Ok{}));
      } else if (type == Started::kType) {
        scheduler->started(worker, decode<Started>(body));
      } else if (type == NodeFailed::kType) {
        NodeFailed failed = decode<NodeFailed>(body);
        // The sink prints the node's failure once, with its log; this is the daemon's own account.
        if (scheduler->node_failed(worker, failed))
          log->info("node {} failed on {}: {}", failed.node_id, worker, failed.error);
      } else if (type == Done::kType) {
        scheduler->done(worker, decode<Done>(body));
      } else if (type == Bye::kType) {
        Bye bye = decode<Bye>(body);
        if (bye.worker_id != worker) return bad_message("BYE from " + worker + " names " + bye.worker_id);
        scheduler->bye(bye);
        log->info("worker {} left ({})", worker, bye.reason);
      } else {
        bad_message("unknown work message type '" + type + "'");
      }
    } catch (const DecodeError& e) {
      bad_message(e.what());
    }
  }

  StatusReply status() const {
    StatusReply reply;
    reply.run_id = run_id;
    reply.state = scheduler->state();
    reply.assignments = scheduler->assignments().size();
    reply.assignments_done = scheduler->count(AssignmentState::done);
    reply.assignments_failed = scheduler->count(AssignmentState::quarantined);
    reply.assignments_running =
        scheduler->count(AssignmentState::running) + scheduler->count(AssignmentState::dispatched);
    reply.nodes = scheduler->nodes();
    reply.failures = scheduler->failures();
    reply.workers_alive = static_cast<std::uint32_t>(scheduler->live_workers().size());
    reply.first_failure = scheduler->first_failure();
    reply.exit_status = scheduler->complete() ? scheduler->exit_status() : -1;
    for (auto state : {AssignmentState::waiting, AssignmentState::queued, AssignmentState::dispatched,
                       AssignmentState::running, AssignmentState::done, AssignmentState::quarantined,
                       AssignmentState::abandoned})
      reply.assignments_by_state.emplace_back(to_string(state), scheduler->count(state));
    reply.nodes_failed = scheduler->nodes_failed();
    reply.nodes_skipped = scheduler->nodes_skipped();
    reply.run_failures = scheduler->run_failures();
    const auto now = Clock::now();
    for (const auto& [id, w] : scheduler->workers()) {
      WorkerInfo info;
      info.id = id;
      info.host = w.host;
      info.pid = w.pid;
      info.slots = w.slots;
      info.running = static_cast<std::uint32_t>(w.assigned.size());
      info.alive = w.alive;
      info.last_seen_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - w.last_seen).count();
      info.lost_reason = w.lost_reason;
      reply.workers.push_back(std::move(info));
    }
    reply.elapsed_seconds = std::chrono::duration<double>(now - started_at).count();
    return reply;
  }

  void on_config_request() {
    auto frames = receive_frames(config, 2);
    if (!frames) return;
    std::pair<std::string, std::string> reply;
    try {
      if (frames->size() != 2) throw DecodeError("config request with " + std::to_string(frames->size()) + " frames");
      const std::string type = frame_text((*frames)[0]);
      const std::string body = frame_text((*frames)[1]);
      const Peer peer = peer_of((*frames)[0]);
      if (!may_ask(peer, type)) {
        refused(peer, "a " + type + " request");
        const std::string why = std::string("a ") + to_string(*peer.role) + " key may not ask for " + type;
        send_frames(config, {ErrorReply::kType, encode(ErrorReply{kProtocolVersion, why})});
        return;
      }
      if (type == SpecRequest::kType) {
        decode<SpecRequest>(body);
        SpecReply spec;
        spec.run_id = run_id;
        spec.spec_version = kSpecVersion;
        spec.entries = options.spec.entries();
        spec.state = scheduler->state();
        spec.no_sink = options.no_sink;
        reply = {SpecReply::kType, encode(spec)};
      } else if (type == StatusRequest::kType) {
        decode<StatusRequest>(body);
        reply = {StatusReply::kType, encode(status())};
      } else if (type == InputRequest::kType) {
        InputRequest request = decode<InputRequest>(body);
        try {
          reply = {InputChunk::kType, encode(inputs.chunk(request.name, request.offset))};
          if (request.offset == 0 && inputs_served.emplace(request.worker_id, request.name).second)
            log->info("serving input '{}' to worker {}", request.name, request.worker_id);
        } catch (const ConfigError& e) {
          reply = {ErrorReply::kType, encode(ErrorReply{kProtocolVersion, e.what()})};
        }
      } else if (type == SinkBeat::kType) {
        reply = {SinkBeatReply::kType, encode(on_sink_beat(decode<SinkBeat>(body)))};
      } else if (type == ReportDone::kType) {
        ReportDone done = decode<ReportDone>(body);
        if (scheduler->complete() && sink.report_done(done)) {
          if (done.complete) {
            log->info("the sink concluded the report: {} record(s), complete", done.records);
          } else if (done.error != sink.error()) {
            log->error("the sink could not complete the report: {}", done.error);
          }
        }
        reply = {Ok::kType, encode(Ok{})};
      } else {
        throw DecodeError("unknown config request '" + type + "'");
      }
    } catch (const DecodeError& e) {
      bad_message(e.what());
      reply = {ErrorReply::kType, encode(ErrorReply{kProtocolVersion, e.what()})};
    }
    send_frames(config, {reply.first, reply.second});
  }

  SinkBeatReply on_sink_beat(const SinkBeat& beat) {
    const bool joined = sink.joined();
    const bool had_error = !sink.error().empty();
    sink.beat(beat, Clock::now());
    if (!joined && sink.joined())
      log->info("the sink joined: {}", beat.report.empty() ? "it writes no report file" : "report " + beat.report);
    if (!had_error && !sink.error().empty()) {
      if (!scheduler->complete()) {
        scheduler->abort(sink.error());  // says "run aborted: ..."
      } else {
        log->error("the sink cannot complete the report: {}", sink.error());
      }
    }
    SinkBeatReply reply{kProtocolVersion, run_id, scheduler->state(), security->enabled(), {}};
    reply.worker_keys.assign(worker_keys.begin(), worker_keys.end());
    return reply;
  }

  // Stops asked for from outside: the first aborts a running run (its end is
  // then waited for as usual); a second one, or one that comes after the run
  // is over, cuts every wait short.
  void handle_stop_requests(const StopRequest& stop) {
    const int requested = stop.count();
    if (requested == stops_handled) return;
    if (stops_handled == 0 && !scheduler->complete()) {
      scheduler->abort(stop.reason());
    } else {
      leave_now = true;
    }
    if (requested >= 2) leave_now = true;
    stops_handled = requested;
  }

  // Nothing is dispatched before a sink of this run joined (unless --no-sink);
  // a run that finds none in time fails before any work.
  bool may_dispatch(Clock::time_point now) {
    if (options.no_sink || sink.joined()) return true;
    if (now >= sink_deadline && !scheduler->complete())
      scheduler->abort("no sink joined the run within " + std::to_string(options.sink_timeout.count() / 1000) +
                       " s (start `ramify sink --broker HOST`, or run the broker with --no-sink)");
    return false;
  }

  // A run whose work may be dispatched but that has no live worker for
  // --worker-wait fails with that cause, rather than waiting forever.
  void fail_without_workers(Clock::time_point now) {
    if (scheduler->state() != RunState::running || scheduler->any_live_worker() ||
        !(options.no_sink || sink.joined())) {
      workerless_since = now;
      return;
    }
    if (now - workerless_since >= options.worker_wait)
      scheduler->abort("no live worker for " + std::to_string(options.worker_wait.count() / 1000) +
                       " s with work left (start `ramify worker --broker HOST`, or give the broker a longer "
                       "--worker-wait)");
  }

  // ---- the loop ----

  // Serves every socket until `done()` or `deadline`; heartbeats on the way.
  template <class Done>
  void serve_until(Done done, Clock::time_point deadline, const StopRequest& stop, bool publish_finish = false) {
    auto next_beat = Clock::now();
    while (!done() && Clock::now() < deadline) {
      handle_stop_requests(stop);
      if (leave_now) return;
      broadcast_kill_if_aborted();
      const auto now = Clock::now();
      for (const auto& dead : scheduler->expire(now))
        log->warn("worker {} is dead: no heartbeat for {} ms", dead, (interval * options.spec.liveness()).count());
      if (now >= next_beat) {
        publish_heartbeat();
        if (publish_finish) publish(finish_message());
        next_beat = now + interval;
        fail_without_workers(now);  // once a beat: workers live and die at that pace
      }
      if (may_dispatch(now)) dispatch();
      broadcast_kill_if_aborted();
      sync_journal();
      progress->tick(Clock::now(), [this] { return figures(); });
      if (done()) break;

      std::vector<zmq::pollitem_t> items{{work.handle(), 0, ZMQ_POLLIN, 0},
                                         {config.handle(), 0, ZMQ_POLLIN, 0},
                                         {control.handle(), 0, ZMQ_POLLIN, 0}};
      auto wait = std::min({until(next_beat), until(deadline), until(scheduler->next_expiry()),
                            until(progress->next_due())});
      if (!options.no_sink && !sink.joined()) wait = std::min(wait, until(sink_deadline));
      poll_items(items, wait);
      // A new subscriber (a late worker, a sink) gets the current state at once.
      if ((items[2].revents & ZMQ_POLLIN) && new_subscriber()) next_beat = Clock::now();
      if (items[0].revents & ZMQ_POLLIN) {
        for (int i = 0; i < 1000; ++i) {
          zmq::pollitem_t more{work.handle(), 0, ZMQ_POLLIN, 0};
          if (zmq::poll(&more, 1, std::chrono::milliseconds(0)) <= 0) break;
          on_work_message();
        }
      }
      if (items[1].revents & ZMQ_POLLIN) on_config_request();
    }
  }

  bool new_subscriber() {
    bool subscribed = false;
    for (int i = 0; i < 100; ++i) {
      auto frames = receive_frames(control, 1);
      if (!frames) break;
      if (frames->size() == 1 && (*frames)[0].size() > 0 && *static_cast<const unsigned char*>((*frames)[0].data()) == 1)
        subscribed = true;
    }
    return subscribed;
  }

  // The curator's run-level finalize, once every assignment is done: what it
  // logs goes to the report with the finish; ctx.fail() fails the run.
  void finalize_run() {
    struct Collect : RecordSink {
      std::vector<LogRecord>& out;
      explicit Collect(std::vector<LogRecord>& o) : out(o) {}
      void add(LogRecord record) override { out.push_back(std::move(record)); }
    } collect(final_records);
    std::vector<AssignmentResult> results;
    for (const AssignmentStatus& a : scheduler->assignments()) {
      if (a.state != AssignmentState::done) continue;
      results.push_back(AssignmentResult{a.spec.root, a.spec.ancestors, a.spec.kind == AssignmentKind::shallow,
                                         a.root_fields});
    }
    const CuratorOptions curator_options = options.spec.section("curator");
    const NodeContext::Services services{collect, curator_options, source.source.get(), nullptr, nullptr};
    NodeContext ctx(nullptr, nullptr, services, AssignmentRef{});
    try {
      auto curator = make_curator(options.spec);
      curator->finalize_run(results, ctx);
    } catch (const std::exception& e) {
      ctx.fail(std::string("finalize_run: ") + e.what());
    }
    if (ctx.status() == Status::failed) {
      log->error("the run's finalize failed: {}", ctx.failure_text());
      scheduler->fail_run("finalize: " + ctx.failure_text());
      ctx.error("the run's finalize failed: " + ctx.failure_text());
    }
  }

  ProgressFigures figures() const {
    ProgressFigures f;
    f.assignments = scheduler->assignments().size();
    for (const auto& a : scheduler->assignments()) {
      switch (a.state) {
        case AssignmentState::done: ++f.assignments_done; break;
        case AssignmentState::running:
        case AssignmentState::dispatched: ++f.assignments_running; break;
        case AssignmentState::abandoned: ++f.assignments_not_run; break;
        case AssignmentState::quarantined: ++f.assignments_quarantined; break;
        default: break;
      }
    }
    f.nodes = scheduler->nodes();
    f.failures = scheduler->failures();
    f.workers = static_cast<std::uint32_t>(scheduler->live_workers().size());
    f.state = scheduler->state();
    f.stop_reason = scheduler->stop_reason();
    return f;
  }

  // Records every assignment whose state changed (one transaction per loop
  // turn). A journal that cannot be written (a full disk) fails the run.
  void sync_journal() {
    std::vector<std::uint64_t> changed = scheduler->take_changed();
    if (!journal || changed.empty()) return;
    std::vector<const AssignmentStatus*> rows;
    for (std::uint64_t id : changed) rows.push_back(&scheduler->assignments()[id]);
    try {
      journal->record(rows);
    } catch (const WriteError& e) {
      journal_failed(e.what());
    }
  }

  void journal_failed(const std::string& why) {
    log->error("{}; the run cannot be resumed from it", why);
    journal.reset();
    if (!scheduler->complete()) {
      scheduler->abort(why);
    } else {
      scheduler->fail_run(why);
    }
  }

  Finish finish_message() const {
    Finish finish;
    finish.run_id = run_id;
    finish.status = scheduler->exit_status();
    finish.last_seq = scheduler->last_seqs();
    finish.superseded = scheduler->superseded();
    for (const auto& [id, w] : scheduler->workers())
      if (!w.alive && !w.lost_reason.empty()) finish.dead_workers.push_back(id);
    finish.skipped_assignments = scheduler->skipped_from_earlier_run();
    finish.final_records = final_records;
    finish.first_failure = scheduler->first_failure();
    return finish;
  }

  int run(const StopRequest& stop) {
    const auto forever = Clock::time_point::max();
    serve_until([&] { return scheduler->complete(); }, forever, stop);
    progress->finish(figures(), Clock::now());
    if (scheduler->state() == RunState::finished) finalize_run();

    // Tell every worker the run is over, and wait for their goodbyes.
    const std::string stop_body = encode(Ok{});
    for (const auto& worker : scheduler->live_workers()) send_to_worker(worker, kStopWorker, stop_body);
    publish_heartbeat();
    serve_until([&] { return scheduler->live_workers().empty(); }, Clock::now() + options.workers_timeout, stop);
    for (const auto& worker : scheduler->live_workers()) scheduler->worker_lost(worker, "it did not say goodbye");

    // Publish the finish until the sink confirms the report.
    if (options.no_sink || (!sink.joined() && sink.error().empty())) {
      publish(finish_message());
    } else {
      const auto sink_silence = std::max<std::chrono::milliseconds>(std::chrono::seconds(2), interval * 3);
      serve_until([&] { return sink.confirmed() || sink.gave_up(Clock::now(), sink_silence); },
                  Clock::now() + options.report_timeout, stop, /*publish_finish=*/true);
    }

    sync_journal();
    int status = scheduler->exit_status();
    if (journal) {
      try {
        journal->end_run(status);
      } catch (const WriteError& e) {
        journal_failed(e.what());
        status = 1;
      }
    }
    return conclude(status, stop);
  }

  // The exit status, and one line that names what is missing and why.
  int conclude(int status, const StopRequest& stop) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - started_at).count();
    std::string report_problem;
    if (options.no_sink) {
      log->warn("no sink (--no-sink): the report was not written");
    } else if (!sink.confirmed() && !sink.error().empty()) {
      report_problem = sink.error();
    } else if (!sink.confirmed()) {
      report_problem = !sink.joined() ? "no report was written"
                                      : "no sink confirmed the report within " +
                                            std::to_string(options.report_timeout.count() / 1000) + " s" +
                                            silence_note() + ": it may be incomplete";
    } else if (!sink.confirmation().complete) {
      report_problem = sink.confirmation().error;
    }
    if (stop.count() > 0) {
      log->error("run {} {}{}", run_id, stop.reason(), report_problem.empty() ? "" : "; " + report_problem);
      return stop.exit_status();
    }
    if (!report_problem.empty()) {
      const std::string& first = scheduler->first_failure();
      log->error("run {} failed: {}", run_id,
                 first.empty() || first == report_problem ? report_problem : first + "; " + report_problem);
      return 1;
    }
    if (status == 0) {
      log->info("run {} finished: {} node(s) in {:.2f} s", run_id, scheduler->nodes(), elapsed);
    } else if (scheduler->failures() > 0) {
      log->error("run {} failed: {} failure(s); first: {}", run_id, scheduler->failures(), scheduler->first_failure());
    } else {  // stopped by something that is no failure of a node (a journal, a sink's error)
      log->error("run {} failed: {}", run_id, scheduler->first_failure());
    }
    return status;
  }

  std::string silence_note() const {
    auto silent = sink.silent_seconds(Clock::now());
    if (!silent || *silent < 2 * std::chrono::duration<double>(interval).count()) return "";
    return " (the sink was last heard " + std::to_string(static_cast<long long>(*silent)) + " s ago)";
  }
};

Broker::Broker(BrokerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Broker::~Broker() = default;

int Broker::run() { return impl_->run(stop_); }

}  // namespace ramify
