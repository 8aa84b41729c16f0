#include "broker/broker.hpp"

#include <zmq.hpp>

#include <optional>

#include "broker/broker_metrics.hpp"
#include "broker/broker_run.hpp"
#include "broker/config_service.hpp"
#include "broker/control_channel.hpp"
#include "broker/dashboard_feed.hpp"
#include "broker/run_finalize.hpp"
#include "broker/work_channel.hpp"
#include "dashboard/dashboard_server.hpp"
#include "net/address.hpp"
#include "net/reactor.hpp"
#include "net/security.hpp"
#include "util/host_port.hpp"

namespace ramify {

// The run's phases around one reactor: serve until every assignment is
// done, finalize, stop the workers and wait for their goodbyes, publish the
// finish until the sink confirms the report, then say how the run ended.
struct Broker::Impl {
  using Clock = BrokerRun::Clock;

  // The context is declared before the sockets so that it outlives them.
  std::unique_ptr<zmq::context_t> own_context;
  zmq::context_t& context;
  BrokerRun run;
  std::unique_ptr<Security> security;  // before the channels: its ZAP handler outlives their sockets
  std::optional<WorkChannel> work;
  std::optional<ConfigService> config;
  std::optional<ControlChannel> control;
  Reactor reactor{run.log};
  Reactor::TimerId beat = 0;
  std::unique_ptr<Progress> progress;
  std::unique_ptr<BrokerMetrics> metrics;
  std::unique_ptr<DashboardFeed> dashboard;

  bool kill_sent = false;
  bool publishing_finish = false;  // the last phase: every beat carries the finish too
  int stops_handled = 0;
  bool leave_now = false;  // a second stop: no more waiting for anyone
  const StopRequest& stop;

  Impl(BrokerOptions options, const StopRequest& stop_request)
      : own_context(options.context ? nullptr : std::make_unique<zmq::context_t>(1)),
        context(options.context ? *options.context : *own_context),
        run(std::move(options)),
        stop(stop_request) {
    // Bound before the hierarchy is read (a big manifest takes a while), so that
    // workers connect at once and their first requests wait in the queues.
    const Address address = Address::parse(run.options.bind, kBrokerPortBase);
    const std::string keys = run.options.keys.empty() ? run.options.spec.get("job", "keys") : run.options.keys;
    security = std::make_unique<Security>(keys, "broker");
    check_exposure(*security, run.options.require_auth || run.options.spec.get("job", "require_auth") == "true",
                   run.options.bind, "broker");
    work.emplace(run, context, *security, address);
    config.emplace(run, context, *security, address);
    control.emplace(context, *security, address);
    if (!run.options.metrics.empty()) metrics = std::make_unique<BrokerMetrics>(run.options.metrics);
    if (!run.options.http.empty()) start_dashboard();
    run.load();
    run.log->info("run {}: {} assignment(s), listening on {}", run.run_id, run.scheduler->assignments().size(),
                  address.text());
    if (metrics) run.log->info("metrics on {}", metrics->url());
    if (dashboard) run.log->info("dashboard on {}", dashboard->url());

    const Progress::Mode mode = run.options.progress;
    const bool often = mode == Progress::Mode::line || mode == Progress::Mode::feed;
    progress = std::make_unique<Progress>(mode, often ? std::chrono::milliseconds(200) : run.options.progress_interval,
                                          mode == Progress::Mode::feed ? stdout : stderr);

    reactor.on(work->socket(), [this] { work->on_message(); });
    reactor.on(config->socket(), [this] { config->on_request(); });
    // A new subscriber (a late worker, a sink) gets the current state at once.
    reactor.on(control->socket(), [this] {
      if (control->read_subscription()) reactor.fire_soon(beat);
    });
    beat = reactor.every(run.interval, [this] { on_beat(); });
    reactor.before_wait([this] { after_events(); });
    reactor.set_longest_wait(run.interval);
  }

  // With keys, the dashboard needs a token too: the one given, or a random one (logged in its address).
  void start_dashboard() {
    std::string token = run.options.http_token;
    if (token.empty() && security->enabled()) token = random_token();
    const std::string host = parse_host_port(run.options.http, "--http").host;
    if (token.empty() && host != "127.0.0.1" && host != "localhost" && host != "::1")
      run.log->warn("the dashboard on {} needs no token (no keys): anyone who reaches it sees the run's paths and "
                    "errors", run.options.http);
    dashboard = std::make_unique<DashboardFeed>(run.options.http, token, run.started_at);
    run.dashboard = dashboard.get();
  }

  // Once a beat: the state for every subscriber; workers live and die at that pace.
  void on_beat() {
    control->publish(run.heartbeat());
    if (publishing_finish) control->publish(run.finish_message());
    run.fail_without_workers(Clock::now());
    if (metrics) metrics->update(*run.scheduler);
  }

  // Every turn, what follows from what came in: stops, the kill, dead
  // workers, new dispatches, the journal, the progress line.
  void after_events() {
    handle_stop_requests();
    if (leave_now) return;
    broadcast_kill_if_aborted();
    const auto now = Clock::now();
    for (const auto& dead : run.scheduler->expire(now))
      run.log->warn("worker {} is dead: no heartbeat for {} ms", dead,
                    (run.interval * run.options.spec.liveness()).count());
    if (run.may_dispatch(now)) work->dispatch();
    broadcast_kill_if_aborted();
    run.sync_journal();
    progress->tick(Clock::now(), [this] { return run.figures(); });
    if (dashboard) {
      dashboard->update(run, Clock::now());
      reactor.wake_by(dashboard->next_due());
    }
    reactor.wake_by(run.scheduler->next_expiry());
    reactor.wake_by(progress->next_due());
    if (!run.options.no_sink && !run.sink.joined()) reactor.wake_by(run.sink_deadline());
  }

  // Stops asked for from outside: the first aborts a running run (its end is
  // then waited for as usual); a second one, or one that comes after the run
  // is over, cuts every wait short.
  void handle_stop_requests() {
    const int requested = stop.count();
    if (requested == stops_handled) return;
    if (stops_handled == 0 && !run.scheduler->complete()) {
      run.scheduler->abort(stop.reason());
    } else {
      leave_now = true;
    }
    if (requested >= 2) leave_now = true;
    stops_handled = requested;
  }

  // Sends the kill once, as soon as the run is aborted: on the control topic
  // and directly to every live worker (a late subscriber may miss the topic).
  void broadcast_kill_if_aborted() {
    if (kill_sent || run.scheduler->state() != RunState::aborted) return;
    kill_sent = true;
    // The failure itself is on the console already (the sink prints it): this says what happens now.
    run.log->error("run aborted: {}; stopping every worker", run.scheduler->stop_reason());
    const Kill kill = run.kill_message();
    control->publish(kill);
    work->kill_every_worker(kill);
  }

  // Serves every channel until `done()` or `deadline`, a beat first.
  template <class Done>
  void serve_until(Done done, Clock::time_point deadline) {
    reactor.fire_soon(beat);
    reactor.run_until([&] { return leave_now || done(); }, deadline);
  }

  int run_phases() {
    serve_until([&] { return run.scheduler->complete(); }, Clock::time_point::max());
    progress->finish(run.figures(), Clock::now());
    if (run.scheduler->state() == RunState::finished) finalize_run(run);

    // Tell every worker the run is over, and wait for their goodbyes: for
    // workers_timeout, and on while a worker's records are still being acknowledged.
    work->stop_every_worker();
    const auto stopped_at = Clock::now();
    for (bool gone = false; !gone && !leave_now;) {
      const auto due = run.scheduler->goodbyes_due(stopped_at, run.options.workers_timeout);
      serve_until([&] { return run.scheduler->live_workers().empty(); }, due);
      gone = run.scheduler->live_workers().empty() ||
             Clock::now() >= run.scheduler->goodbyes_due(stopped_at, run.options.workers_timeout);
    }
    for (const auto& worker : run.scheduler->live_workers())
      run.scheduler->worker_lost(worker, "it did not say goodbye");

    // Publish the finish until the sink confirms the report.
    if (run.options.no_sink || (!run.sink.joined() && run.sink.error().empty())) {
      control->publish(run.finish_message());
    } else {
      const auto sink_silence = std::max<std::chrono::milliseconds>(std::chrono::seconds(2), run.interval * 3);
      publishing_finish = true;
      serve_until([&] { return run.sink.confirmed() || run.sink.gave_up(Clock::now(), sink_silence); },
                  Clock::now() + run.options.report_timeout);
    }

    run.sync_journal();
    int status = run.scheduler->exit_status();
    if (run.journal) {
      try {
        run.journal->end_run(status);
      } catch (const WriteError& e) {
        run.journal_failed(e.what());
        status = 1;
      }
    }
    return conclude(status);
  }

  // The exit status, and one line that names what is missing and why.
  int conclude(int status) {
    if (dashboard) dashboard->update(run, Clock::now(), true);
    const SinkWatch& sink = run.sink;
    const double elapsed = std::chrono::duration<double>(Clock::now() - run.started_at).count();
    std::string report_problem;
    if (run.options.no_sink) {
      run.log->warn("no sink (--no-sink): the report was not written");
    } else if (!sink.confirmed() && !sink.error().empty()) {
      report_problem = sink.error();
    } else if (!sink.confirmed()) {
      report_problem = !sink.joined() ? "no report was written"
                                      : "no sink confirmed the report within " +
                                            std::to_string(run.options.report_timeout.count() / 1000) + " s" +
                                            silence_note() + ": it may be incomplete";
    } else if (!sink.confirmation().complete) {
      report_problem = sink.confirmation().error;
    }
    if (stop.count() > 0) {
      run.log->error("run {} {}{}", run.run_id, stop.reason(), report_problem.empty() ? "" : "; " + report_problem);
      return stop.exit_status();
    }
    const std::string& first = run.scheduler->first_failure();
    if (!report_problem.empty()) {
      run.log->error("run {} failed: {}", run.run_id,
                     first.empty() || first == report_problem ? report_problem : first + "; " + report_problem);
      return 1;
    }
    if (status == 0) {
      run.log->info("run {} finished: {} node(s) in {:.2f} s", run.run_id, run.scheduler->nodes(), elapsed);
      if (run.carried_whole > 0)
        run.log->info("{} assignment(s) unchanged since the last run: carried whole, their nodes not sent",
                      run.carried_whole);
    } else if (run.scheduler->failures() > 0) {
      run.log->error("run {} failed: {} failure(s); first: {}", run.run_id, run.scheduler->failures(), first);
    } else {  // stopped by something that is no failure of a node (a journal, a sink's error)
      run.log->error("run {} failed: {}", run.run_id, first);
    }
    return status;
  }

  std::string silence_note() const {
    auto silent = run.sink.silent_seconds(Clock::now());
    if (!silent || *silent < 2 * std::chrono::duration<double>(run.interval).count()) return "";
    return " (the sink was last heard " + std::to_string(static_cast<long long>(*silent)) + " s ago)";
  }
};

Broker::Broker(BrokerOptions options) : impl_(std::make_unique<Impl>(std::move(options), stop_)) {}

Broker::~Broker() = default;

int Broker::run() { return impl_->run_phases(); }

}  // namespace ramify
