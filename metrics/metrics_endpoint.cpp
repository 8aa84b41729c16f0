#include "metrics/metrics_endpoint.hpp"

#include <prometheus/exposer.h>
#include <prometheus/gauge.h>

#include "util/errors.hpp"
#include "util/host_port.hpp"

namespace ramify {

MetricsEndpoint::MetricsEndpoint(const std::string& bind, const std::string& daemon)
    : registry_(std::make_shared<prometheus::Registry>()) {
  const HostPort where = parse_host_port(bind, "--metrics");
  const std::string host = where.host == "*" ? "0.0.0.0" : where.host;
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(host + ":" + std::to_string(where.port), 1);
  } catch (const std::exception&) {
    throw ConfigError("--metrics " + bind +
                      ": cannot listen there (the port is in use, or the address is not this host's)");
  }
  exposer_->RegisterCollectable(registry_);
  const auto ports = exposer_->GetListeningPorts();
  port_ = ports.empty() ? where.port : static_cast<unsigned>(ports.front());
  host_ = local_host_for(where.host);
  url_ =
      "http://" + (where.host == "*" ? std::string("0.0.0.0") : where.host) + ":" + std::to_string(port_) + "/metrics";
  prometheus::BuildGauge()
      .Name("ramify_build_info")
      .Help("ramify's version and which daemon this is (always 1)")
      .Register(*registry_)
      .Add({{"version", RAMIFY_VERSION}, {"daemon", daemon}})
      .Set(1);
}

MetricsEndpoint::~MetricsEndpoint() {
  stop_while_knocking(host_, port_, [this] { exposer_.reset(); });
}

prometheus::Gauge& MetricsEndpoint::gauge(const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(*registry_).Add({});
}

prometheus::Counter& MetricsEndpoint::counter(const std::string& name, const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(*registry_).Add({});
}

std::vector<double> duration_buckets() {
  return {0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200, 14400};
}

void advance_to(prometheus::Counter& counter, double total) {
  const double now = counter.Value();
  if (total > now) counter.Increment(total - now);
}

std::string metrics_address_plus(const std::string& bind, unsigned offset) {
  const HostPort where = parse_host_port(bind, "--metrics");
  if (where.port == 0) return bind;
  if (where.port + offset > 65535) throw ConfigError("--metrics " + bind + ": the ports above it run past 65535");
  return where.host + ":" + std::to_string(where.port + offset);
}

}  // namespace ramify
