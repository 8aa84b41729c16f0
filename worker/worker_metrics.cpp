#include "worker/worker_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include "metrics/metrics_endpoint.hpp"

namespace ramify {

struct WorkerMetrics::Impl {
  MetricsEndpoint endpoint;
  prometheus::Gauge& slots = endpoint.gauge("ramify_worker_slots", "this worker's slots");
  prometheus::Gauge& busy = endpoint.gauge("ramify_worker_slots_busy", "this worker's slots that run an assignment");
  prometheus::Gauge& draining =
      endpoint.gauge("ramify_worker_draining", "1 while this worker drains (SIGTERM, --max-lifetime)");
  prometheus::Gauge& unacknowledged =
      endpoint.gauge("ramify_worker_records_unacknowledged", "records sent to the sink and not yet acknowledged");
  prometheus::Family<prometheus::Counter>& assignments =
      prometheus::BuildCounter()
          .Name("ramify_worker_assignments_total")
          .Help("assignments this worker ended, by result (done, or handed_back by a drain)")
          .Register(endpoint.registry());
  prometheus::Counter& done = assignments.Add({{"result", "done"}});
  prometheus::Counter& handed_back = assignments.Add({{"result", "handed_back"}});
  prometheus::Counter& failed =
      endpoint.counter("ramify_worker_node_failures_total", "nodes that failed on this worker");
  prometheus::Counter& sent =
      endpoint.counter("ramify_worker_records_sent_total", "records this worker sent to the sink");

  explicit Impl(const std::string& bind) : endpoint(bind, "worker") {}
};

WorkerMetrics::WorkerMetrics(const std::string& bind) : impl_(std::make_unique<Impl>(bind)) {}
WorkerMetrics::~WorkerMetrics() = default;

const std::string& WorkerMetrics::url() const { return impl_->endpoint.url(); }

void WorkerMetrics::assignment_done(bool handed_back) { (handed_back ? impl_->handed_back : impl_->done).Increment(); }

void WorkerMetrics::node_failed() { impl_->failed.Increment(); }

void WorkerMetrics::records_sent(std::uint32_t count) { impl_->sent.Increment(count); }

void WorkerMetrics::update(std::size_t slots, std::uint32_t busy, bool draining, std::uint64_t unacknowledged) {
  impl_->slots.Set(static_cast<double>(slots));
  impl_->busy.Set(busy);
  impl_->draining.Set(draining ? 1 : 0);
  impl_->unacknowledged.Set(static_cast<double>(unacknowledged));
}

}  // namespace ramify
