#pragma once
// A daemon's Prometheus endpoint (`--metrics HOST:PORT`): prometheus-cpp's
// exposer serves GET /metrics from its own HTTP thread; the daemon's loop
// updates the metrics in the registry (thread-safe). Every endpoint carries
// ramify_build_info{version, daemon} = 1. Port 0: the kernel picks one, and
// url() names it.

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <vector>

namespace prometheus {
class Exposer;
}

namespace ramify {

class MetricsEndpoint {
 public:
  // `bind`: "HOST:PORT" ("*:PORT" for every interface). Throws ConfigError
  // when it is malformed or cannot be bound (a port in use, an address that
  // is not this host's).
  MetricsEndpoint(const std::string& bind, const std::string& daemon);
  ~MetricsEndpoint();
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  prometheus::Registry& registry() { return *registry_; }
  // A metric without labels, the one member of its family.
  prometheus::Gauge& gauge(const std::string& name, const std::string& help);
  prometheus::Counter& counter(const std::string& name, const std::string& help);
  // http://HOST:PORT/metrics, with the port really bound.
  const std::string& url() const { return url_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::string url_;
  std::string host_;  // where a connection reaches the listener (its stop, see the destructor)
  unsigned port_ = 0;
};

// Buckets for durations from a millisecond to four hours.
std::vector<double> duration_buckets();

// Moves a counter up to a running total kept elsewhere (a Prometheus counter
// only goes up; a total that went down is left as it was).
void advance_to(prometheus::Counter& counter, double total);

// "HOST:PORT" with PORT moved by `offset` (port 0 stays 0: each process gets
// a port of its own from the kernel). Throws ConfigError when malformed.
std::string metrics_address_plus(const std::string& bind, unsigned offset);

}  // namespace ramify
