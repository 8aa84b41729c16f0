// The dashboard's pieces without a broker: its HTTP server (the page, the
// snapshot, the token, what it refuses, what it forbids the page to load),
// the throughput history's bounded samples, and the sink's digest of the rows.

#include <gtest/gtest.h>

#include <string>

#include "dashboard/dashboard_server.hpp"
#include "dashboard/throughput_history.hpp"
#include "protocol/log_record.hpp"
#include "sink/run_digest.hpp"
#include "unit/http_request.hpp"
#include "util/errors.hpp"

namespace ramify {
namespace {

std::string status_line(const std::string& reply) { return reply.substr(0, reply.find("\r\n")); }
std::string body_of(const std::string& reply) { return reply.substr(reply.find("\r\n\r\n") + 4); }

TEST(Dashboard, ServesThePageAndTheLatestSnapshot) {
  DashboardServer server("127.0.0.1:0", "");
  const unsigned port = port_of(server.url());
  EXPECT_EQ(server.url(), "http://127.0.0.1:" + std::to_string(port) + "/");

  const std::string page = http_request(port, "GET / HTTP/1.0");
  EXPECT_EQ(status_line(page), "HTTP/1.1 200 OK");
  EXPECT_NE(page.find("Content-Type: text/html; charset=utf-8"), std::string::npos);
  EXPECT_NE(page.find("Content-Security-Policy: default-src 'none';"), std::string::npos) << page.substr(0, 600);
  EXPECT_NE(page.find("connect-src 'self'"), std::string::npos);
  EXPECT_NE(body_of(page).find("api/run"), std::string::npos);

  EXPECT_EQ(status_line(http_request(port, "GET /api/run HTTP/1.0")), "HTTP/1.1 503 Service Unavailable");
  server.publish(R"({"status":{"state":"running"}})");
  server.publish(R"({"status":{"state":"finished"}})");
  const std::string snapshot = http_request(port, "GET /api/run HTTP/1.0");
  EXPECT_EQ(status_line(snapshot), "HTTP/1.1 200 OK");
  EXPECT_NE(snapshot.find("Content-Type: application/json"), std::string::npos);
  EXPECT_EQ(body_of(snapshot), R"({"status":{"state":"finished"}})");

  EXPECT_EQ(status_line(http_request(port, "GET /etc/passwd HTTP/1.0")), "HTTP/1.1 404 Not Found");
  EXPECT_EQ(status_line(http_request(port, "POST /api/run HTTP/1.0")), "HTTP/1.1 405 Method Not Allowed");
  const std::string head = http_request(port, "HEAD /api/run HTTP/1.0");
  EXPECT_EQ(status_line(head), "HTTP/1.1 200 OK");
  EXPECT_EQ(body_of(head), "");
}

TEST(Dashboard, WithATokenEveryRequestMustCarryIt) {
  const std::string token = random_token();
  ASSERT_EQ(token.size(), 32u);
  EXPECT_NE(token, random_token());
  DashboardServer server("127.0.0.1:0", token);
  const unsigned port = port_of(server.url());
  EXPECT_NE(server.url().find("/?token=" + token), std::string::npos);
  server.publish("{}");

  for (const std::string& refused :
       {std::string("GET / HTTP/1.0"), std::string("GET /api/run HTTP/1.0"),
        "GET /api/run?token=" + token.substr(1) + " HTTP/1.0", "GET /api/run?token=" + token + "0 HTTP/1.0",
        "GET /api/run HTTP/1.0\r\nAuthorization: Bearer x" + token}) {
    const std::string reply = http_request(port, refused);
    EXPECT_EQ(status_line(reply), "HTTP/1.1 401 Unauthorized") << refused;
    EXPECT_EQ(reply.find("{}"), std::string::npos);
  }
  EXPECT_EQ(status_line(http_request(port, "GET /?token=" + token + " HTTP/1.0")), "HTTP/1.1 200 OK");
  EXPECT_EQ(body_of(http_request(port, "GET /api/run?token=" + token + " HTTP/1.0")), "{}");
  EXPECT_EQ(body_of(http_request(port, "GET /api/run HTTP/1.0\r\nAuthorization: Bearer " + token)), "{}");
}

TEST(Dashboard, AnAddressItCannotServeIsAUsageError) {
  DashboardServer first("127.0.0.1:0", "");
  const std::string taken = "127.0.0.1:" + std::to_string(port_of(first.url()));
  EXPECT_THROW(DashboardServer(taken, ""), ConfigError);
  EXPECT_THROW(DashboardServer("127.0.0.1", ""), ConfigError);
  EXPECT_THROW(DashboardServer("127.0.0.1:70000", ""), ConfigError);
  EXPECT_THROW(DashboardServer("192.0.2.1:0", ""), ConfigError);  // not this host's
}

TEST(ThroughputHistory, SamplesOncePerIntervalAndHalvesItsSamplesWhenFull) {
  using Clock = ThroughputHistory::Clock;
  const Clock::time_point start{};
  ThroughputHistory history(start);
  history.sample(start, 0);
  history.sample(start + std::chrono::milliseconds(500), 5);    // the same interval: no sample
  history.sample(start + std::chrono::milliseconds(3000), 30);  // three intervals began: three samples
  EXPECT_EQ(history.samples(), (std::vector<std::uint64_t>{0, 30, 30, 30}));
  EXPECT_EQ(history.json(), R"({"interval_seconds":1.000000,"nodes":[0,30,30,30]})");

  ThroughputHistory full(start);
  for (int s = 0; s < 600; ++s) full.sample(start + std::chrono::seconds(s), static_cast<std::uint64_t>(s));
  ASSERT_EQ(full.samples().size(), ThroughputHistory::kMaxSamples);
  full.sample(start + std::chrono::seconds(600), 600);
  EXPECT_EQ(full.interval(), std::chrono::seconds(2));
  ASSERT_EQ(full.samples().size(), 301u);
  for (std::size_t i = 0; i < full.samples().size(); ++i) EXPECT_EQ(full.samples()[i], 2 * i);  // still evenly spaced
  EXPECT_EQ(full.next_due(), start + std::chrono::seconds(602));
}

TEST(RunDigest, CountsEveryOutcomeByLevelAndKeepsTheLastRecordsOnceAsked) {
  RunDigest digest;
  auto outcome = [](const std::string& level, Status status) {
    LogRecord r;
    r.kind = RecordKind::outcome;
    r.container_type = level;
    r.status = status;
    return r;
  };
  digest.written("w1", outcome("subject", Status::ok));
  digest.written("w1", outcome("file", Status::ok));
  digest.written("w2", outcome("file", Status::failed));
  digest.written("w2", outcome("file", Status::skipped));
  LogRecord early;
  early.msg = "before the broker asked for records";
  digest.written("w1", early);
  EXPECT_TRUE(digest.digest().recent.empty());
  digest.keep_records();
  for (std::size_t i = 0; i < kDigestRecords + 5; ++i) {
    LogRecord log;
    log.severity = Severity::warning;
    log.container_id = "sub-1/f" + std::to_string(i);
    log.msg = i == kDigestRecords + 4 ? std::string(kDigestText + 100, 'x') : "message " + std::to_string(i);
    digest.written("w1", log);
  }
  const SinkDigest d = digest.digest();
  EXPECT_EQ(d.levels, (std::vector<LevelCounts>{{"subject", 1, 0, 0}, {"file", 1, 1, 1}}));
  ASSERT_EQ(d.recent.size(), kDigestRecords);
  EXPECT_EQ(d.recent.front().node, "sub-1/f5");  // the oldest five left
  EXPECT_EQ(d.recent.front().severity, "warning");
  EXPECT_EQ(d.recent.front().worker, "w1");
  EXPECT_LE(d.recent.back().message.size(), kDigestText + 3);  // cut, with an ellipsis
}

}  // namespace
}  // namespace ramify
