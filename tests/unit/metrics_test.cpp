// The metrics endpoints serve Prometheus's text format over HTTP: the sink's
// counts follow the rows written (by level and status, durations, bytes
// hashed), and an address that cannot be served is a clear usage error.

#include <gtest/gtest.h>

#include <string>

#include "metrics/metrics_endpoint.hpp"
#include "protocol/log_record.hpp"
#include "sink/sink_metrics.hpp"
#include "unit/http_request.hpp"
#include "util/errors.hpp"

namespace ramify {
namespace {

// GET /metrics, as a scraper would (HTTP/1.0: the server closes).
std::string scrape(const std::string& url) { return http_request(port_of(url), "GET /metrics HTTP/1.0"); }

LogRecord outcome(const std::string& level, Status status, std::int64_t duration_us) {
  LogRecord r;
  r.kind = RecordKind::outcome;
  r.status = status;
  r.container_type = level;
  r.duration_us = duration_us;
  return r;
}

TEST(Metrics, TheSinkCountsNodesByLevelAndStatusTheirDurationsAndTheBytesHashed) {
  SinkMetrics metrics("127.0.0.1:0");
  LogRecord hashed = outcome("file", Status::ok, 2'000'000);
  hashed.fields = {Field{"sha256", std::string(64, 'a'), FieldType::text}, Field{"bytes", "1000", FieldType::integer}};
  metrics.written(hashed);
  metrics.written(outcome("file", Status::ok, 500));
  metrics.written(outcome("file", Status::failed, 500));
  metrics.written(outcome("subject", Status::ok, 10));
  metrics.written(LogRecord{});  // a log row
  metrics.lost(3);

  const std::string text = scrape(metrics.url());
  EXPECT_NE(text.find("200 OK"), std::string::npos) << text;
  EXPECT_NE(text.find("ramify_nodes_total{level=\"file\",status=\"ok\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("ramify_nodes_total{level=\"file\",status=\"failed\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("ramify_nodes_total{level=\"subject\",status=\"ok\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("ramify_node_duration_seconds_count{level=\"file\"} 3"), std::string::npos) << text;
  EXPECT_NE(text.find("ramify_node_duration_seconds_sum{level=\"file\"} 2.001"), std::string::npos) << text;
  // The two-second node is above the 1 s bucket and within the 2.5 s one; buckets reach hours.
  EXPECT_NE(text.find("ramify_node_duration_seconds_bucket{level=\"file\",le=\"1\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("ramify_node_duration_seconds_bucket{level=\"file\",le=\"2.5\"} 3"), std::string::npos) << text;
  EXPECT_NE(text.find("le=\"14400\""), std::string::npos) << text;
  EXPECT_NE(text.find("ramify_bytes_hashed_total 1000"), std::string::npos) << text;
  EXPECT_NE(text.find("ramify_records_written_total{kind=\"outcome\"} 4"), std::string::npos) << text;
  EXPECT_NE(text.find("ramify_records_written_total{kind=\"log\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("ramify_records_lost_total 3"), std::string::npos) << text;
  EXPECT_NE(text.find("ramify_build_info{daemon=\"sink\",version=\"" RAMIFY_VERSION "\"} 1"), std::string::npos)
      << text;
}

TEST(Metrics, AnAddressThatCannotBeServedIsAUsageErrorThatSaysWhy) {
  MetricsEndpoint first("127.0.0.1:0", "broker");
  const std::string url = first.url();  // http://127.0.0.1:PORT/metrics
  const std::string port_in_use = url.substr(7, url.rfind('/') - 7);
  try {
    MetricsEndpoint second(port_in_use, "sink");
    FAIL() << "a port in use was bound twice";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot listen there"), std::string::npos) << e.what();
  }
  EXPECT_THROW(MetricsEndpoint("9464", "broker"), ConfigError);
  EXPECT_THROW(MetricsEndpoint("localhost:http", "broker"), ConfigError);
  EXPECT_THROW(MetricsEndpoint("127.0.0.1:70000", "broker"), ConfigError);
}

TEST(Metrics, RamifyRunGivesEachDaemonThePortAfterTheLast) {
  EXPECT_EQ(metrics_address_plus("127.0.0.1:9464", 0), "127.0.0.1:9464");
  EXPECT_EQ(metrics_address_plus("*:9464", 3), "*:9467");
  EXPECT_EQ(metrics_address_plus("127.0.0.1:0", 5), "127.0.0.1:0");  // each its own port from the kernel
  EXPECT_THROW(metrics_address_plus("127.0.0.1:65535", 2), ConfigError);
}

TEST(Metrics, ACounterFollowsARunningTotalUpOnly) {
  prometheus::Registry registry;
  auto& counter = prometheus::BuildCounter().Name("c_total").Help("h").Register(registry).Add({});
  advance_to(counter, 5);
  advance_to(counter, 3);  // a total that went down (a worker forgotten) does not take the counter down
  advance_to(counter, 7);
  EXPECT_EQ(counter.Value(), 7);
}

}  // namespace
}  // namespace ramify
