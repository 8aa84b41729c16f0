#include "broker/broker_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include <map>

#include "broker/scheduler.hpp"
#include "metrics/metrics_endpoint.hpp"

namespace ramify {

namespace {

constexpr AssignmentState kStates[] = {AssignmentState::waiting,  AssignmentState::queued, AssignmentState::dispatched,
                                       AssignmentState::running,  AssignmentState::done,   AssignmentState::quarantined,
                                       AssignmentState::abandoned};

}  // namespace

struct BrokerMetrics::Impl {
  MetricsEndpoint endpoint;
  std::map<AssignmentState, prometheus::Gauge*> by_state;
  prometheus::Gauge& pending;
  prometheus::Gauge& workers;
  prometheus::Gauge& draining;
  prometheus::Gauge& slots;
  prometheus::Gauge& slots_busy;
  prometheus::Gauge& nodes;
  prometheus::Gauge& failures;
  prometheus::Counter& redispatches;
  prometheus::Counter& lease_expiries;
  prometheus::Counter& handed_back;
  prometheus::Counter& workers_lost;

  explicit Impl(const std::string& bind)
      : endpoint(bind, "broker"),
        pending(endpoint.gauge("ramify_assignments_pending", "assignments ready to run and waiting for a free slot")),
        workers(endpoint.gauge("ramify_workers", "workers connected and alive")),
        draining(
            endpoint.gauge("ramify_workers_draining", "live workers that take no more work (SIGTERM, --max-lifetime)")),
        slots(endpoint.gauge("ramify_run_slots", "slots of the live workers")),
        slots_busy(endpoint.gauge("ramify_run_slots_busy", "slots of the live workers that hold an assignment")),
        nodes(endpoint.gauge("ramify_run_nodes", "nodes curated so far in this run, as the workers report them")),
        failures(endpoint.gauge("ramify_run_failures",
                                "failures so far: failed nodes, quarantined assignments, the run's own")),
        redispatches(
            endpoint.counter("ramify_redispatches_total", "attempts dispatched again after their worker was lost")),
        lease_expiries(
            endpoint.counter("ramify_lease_expiries_total",
                             "assignment leases that expired with their worker (silent, dead or never answering)")),
        handed_back(
            endpoint.counter("ramify_assignments_handed_back_total", "assignments handed back by draining workers")),
        workers_lost(endpoint.counter("ramify_workers_lost_total", "workers declared dead")) {
    auto& family = prometheus::BuildGauge()
                       .Name("ramify_assignments")
                       .Help("assignments of this run by state")
                       .Register(endpoint.registry());
    for (AssignmentState state : kStates) by_state[state] = &family.Add({{"state", to_string(state)}});
  }
};

BrokerMetrics::BrokerMetrics(const std::string& bind) : impl_(std::make_unique<Impl>(bind)) {}
BrokerMetrics::~BrokerMetrics() = default;

const std::string& BrokerMetrics::url() const { return impl_->endpoint.url(); }

void BrokerMetrics::update(const Scheduler& scheduler) {
  Impl& m = *impl_;
  std::map<AssignmentState, double> counts;
  double expiries = 0;
  for (const AssignmentStatus& a : scheduler.assignments()) {
    ++counts[a.state];
    expiries += a.lost_workers;
  }
  for (auto& [state, gauge] : m.by_state) gauge->Set(counts[state]);
  m.pending.Set(static_cast<double>(scheduler.queued()));
  double live = 0, draining = 0, slots = 0, busy = 0, lost = 0;
  for (const auto& [id, w] : scheduler.workers()) {
    if (!w.lost_reason.empty()) ++lost;
    if (!w.alive) continue;
    ++live;
    if (w.draining) ++draining;
    slots += w.slots;
    busy += static_cast<double>(w.slots - w.free_slots());
  }
  m.workers.Set(live);
  m.draining.Set(draining);
  m.slots.Set(slots);
  m.slots_busy.Set(busy);
  m.nodes.Set(static_cast<double>(scheduler.nodes()));
  m.failures.Set(static_cast<double>(scheduler.failures()));
  advance_to(m.redispatches, static_cast<double>(scheduler.redispatched()));
  advance_to(m.lease_expiries, expiries);
  advance_to(m.handed_back, static_cast<double>(scheduler.handed_back()));
  advance_to(m.workers_lost, lost);
}

}  // namespace ramify
