#include "sink/sink_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>

#include <charconv>
#include <map>
#include <utility>

#include "metrics/metrics_endpoint.hpp"
#include "protocol/log_record.hpp"

namespace ramify {

struct SinkMetrics::Impl {
  MetricsEndpoint endpoint;
  prometheus::Family<prometheus::Counter>& nodes;
  prometheus::Family<prometheus::Histogram>& durations;
  prometheus::Family<prometheus::Counter>& records;
  prometheus::Counter& bytes_hashed;
  prometheus::Counter& lost;
  // The families' children by label, found once (Add() takes a lock and hashes the labels).
  std::map<std::pair<std::string, Status>, prometheus::Counter*> nodes_by;
  std::map<std::string, prometheus::Histogram*> durations_by;
  prometheus::Counter* log_records;
  prometheus::Counter* outcome_records;

  explicit Impl(const std::string& bind)
      : endpoint(bind, "sink"),
        nodes(prometheus::BuildCounter()
                  .Name("ramify_nodes_total")
                  .Help("nodes curated, by level and status (outcome rows written to the report)")
                  .Register(endpoint.registry())),
        durations(prometheus::BuildHistogram()
                      .Name("ramify_node_duration_seconds")
                      .Help("how long curating a node took, by level")
                      .Register(endpoint.registry())),
        records(prometheus::BuildCounter()
                    .Name("ramify_records_written_total")
                    .Help("report rows written, by kind (log or outcome)")
                    .Register(endpoint.registry())),
        bytes_hashed(endpoint.counter("ramify_bytes_hashed_total", "bytes digested by the checksum curator")),
        lost(endpoint.counter("ramify_records_lost_total",
                              "records that never reached the report (counted at the run's end)")),
        log_records(&records.Add({{"kind", "log"}})),
        outcome_records(&records.Add({{"kind", "outcome"}})) {}
};

SinkMetrics::SinkMetrics(const std::string& bind) : impl_(std::make_unique<Impl>(bind)) {}
SinkMetrics::~SinkMetrics() = default;

const std::string& SinkMetrics::url() const { return impl_->endpoint.url(); }

void SinkMetrics::written(const LogRecord& record) {
  Impl& m = *impl_;
  if (record.kind != RecordKind::outcome) {
    m.log_records->Increment();
    return;
  }
  m.outcome_records->Increment();
  auto node = m.nodes_by.find({record.container_type, record.status});
  if (node == m.nodes_by.end())
    node = m.nodes_by
               .emplace(std::pair{record.container_type, record.status},
                        &m.nodes.Add({{"level", record.container_type}, {"status", to_string(record.status)}}))
               .first;
  node->second->Increment();
  auto duration = m.durations_by.find(record.container_type);
  if (duration == m.durations_by.end())
    duration =
        m.durations_by
            .emplace(record.container_type, &m.durations.Add({{"level", record.container_type}}, duration_buckets()))
            .first;
  duration->second->Observe(static_cast<double>(record.duration_us) / 1e6);
  bool digested = false;
  std::uint64_t bytes = 0;
  for (const Field& field : record.fields) {
    if (field.key == "sha256") digested = true;
    if (field.key == "bytes") std::from_chars(field.value.data(), field.value.data() + field.value.size(), bytes);
  }
  if (digested) m.bytes_hashed.Increment(static_cast<double>(bytes));
}

void SinkMetrics::lost(std::uint64_t records) {
  if (records > 0) impl_->lost.Increment(static_cast<double>(records));
}

}  // namespace ramify
