#include "broker/dashboard_feed.hpp"

#include <algorithm>
#include <vector>

#include "broker/broker_run.hpp"
#include "dashboard/dashboard_server.hpp"
#include "protocol/status_json.hpp"
#include "util/json_text.hpp"

namespace ramify {

namespace {

std::int64_t wall_clock_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string json_list(const auto& items, const auto& each) {
  std::string out = "[";
  for (const auto& item : items) {
    if (out.size() > 1) out += ',';
    out += each(item);
  }
  return out + "]";
}

}  // namespace

DashboardFeed::DashboardFeed(const std::string& bind, const std::string& token, Clock::time_point started_at)
    : server_(std::make_unique<DashboardServer>(bind, token)), throughput_(started_at) {}

DashboardFeed::~DashboardFeed() = default;

const std::string& DashboardFeed::url() const { return server_->url(); }

void DashboardFeed::node_failed(const std::string& worker, const NodeFailed& failed) {
  JsonObject failure;
  failure.field("node", failed.node_id)
      .field("level", failed.container_type)
      .field("worker", worker)
      .field("assignment", failed.id)
      .field("error", failed.error);
  if (failures_.size() == kFailures) failures_.pop_front();
  failures_.push_back(failure.str());
}

void DashboardFeed::sink_beat(const SinkBeat& beat) { sink_ = beat; }

DashboardFeed::Clock::time_point DashboardFeed::next_due() const {
  return std::min(next_publish_, throughput_.next_due());
}

void DashboardFeed::update(const BrokerRun& run, Clock::time_point now, bool now_anyway) {
  throughput_.sample(now, run.scheduler->nodes());
  if (now < next_publish_ && !now_anyway) return;
  server_->publish(snapshot(run, now));
  next_publish_ = now + kPublishEvery;
}

std::string DashboardFeed::snapshot(const BrokerRun& run, Clock::time_point now) const {
  std::vector<const AssignmentStatus*> under_way;
  for (const AssignmentStatus& a : run.scheduler->assignments())
    if (a.state == AssignmentState::running || a.state == AssignmentState::dispatched) under_way.push_back(&a);
  const std::string running = json_list(under_way, [&](const AssignmentStatus* a) {
    JsonObject entry;
    entry.field("worker", a->worker)
        .field("assignment", a->spec.id)
        .field("root", a->spec.root.id)
        .field("level", a->spec.root.level)
        .field("state", to_string(a->state))
        .raw("seconds", std::to_string(std::chrono::duration<double>(now - a->dispatched_at).count()))
        .field("nodes", a->live_nodes);
    return entry.str();
  });

  // The job's levels top down, then those it does not name (folder, file) as the sink saw them.
  std::vector<LevelCounts> by_level = sink_.digest.levels;
  const std::vector<std::string> order = run.options.spec.levels();
  const auto rank = [&](const LevelCounts& c) {
    return static_cast<std::size_t>(std::find(order.begin(), order.end(), c.level) - order.begin());
  };
  std::stable_sort(by_level.begin(), by_level.end(),
                   [&](const LevelCounts& a, const LevelCounts& b) { return rank(a) < rank(b); });
  const std::string levels = json_list(by_level, [](const LevelCounts& c) {
    JsonObject level;
    level.field("level", c.level).field("ok", c.ok).field("failed", c.failed).field("skipped", c.skipped);
    return level.str();
  });
  const std::string records = json_list(sink_.digest.recent, [](const RecentRecord& r) {
    JsonObject record;
    record.field("time", iso8601_utc(r.ts_us))
        .field("worker", r.worker)
        .field("level", r.severity)
        .field("node", r.node)
        .field("message", r.message);
    return record.str();
  });
  const std::string failures = json_list(failures_, [](const std::string& failure) { return failure; });

  JsonObject sink;
  sink.field("joined", run.sink.joined())
      .field("report", sink_.report)
      .field("rows", sink_.rows)
      .field("error", sink_.error);
  JsonObject out;
  out.raw("status", status_json(run.status()))
      .raw("levels", levels)
      .raw("throughput", throughput_.json())
      .raw("running", running)
      .raw("failures", failures)
      .raw("records", records)
      .raw("sink", sink.str())
      .field("updated", iso8601_utc(wall_clock_us()));
  return out.str();
}

}  // namespace ramify
