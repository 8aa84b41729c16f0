#include "dashboard/dashboard_server.hpp"

#include <civetweb.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstring>
#include <mutex>
#include <string_view>

#include "dashboard/dashboard_page.hpp"
#include "util/errors.hpp"
#include "util/host_name.hpp"
#include "util/host_port.hpp"

namespace ramify {

namespace {

constexpr const char* kCommonHeaders =
    "Cache-Control: no-store\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Content-Security-Policy: default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'\r\n"
    "Connection: close\r\n";

int answer(mg_connection* connection, int status, const char* reason, const char* type, std::string_view body,
           bool head) {
  mg_printf(connection, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s\r\n", status, reason, type,
            body.size(), kCommonHeaders);
  if (!head && !body.empty()) mg_write(connection, body.data(), body.size());
  return status;
}

bool same(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

struct DashboardServer::Impl {
  const std::string token;
  std::string url;
  std::string knock_host;
  unsigned port = 0;
  mg_context* context = nullptr;
  std::mutex mutex;
  std::string snapshot;  // guarded by mutex

  explicit Impl(std::string t) : token(std::move(t)) {}

  bool authorized(mg_connection* connection, const mg_request_info* request) const {
    if (token.empty()) return true;
    if (const char* header = mg_get_header(connection, "Authorization")) {
      const std::string_view value(header);
      if (value.rfind("Bearer ", 0) == 0 && same(value.substr(7), token)) return true;
    }
    if (request->query_string == nullptr) return false;
    char given[128];
    const int length =
        mg_get_var(request->query_string, std::strlen(request->query_string), "token", given, sizeof given);
    return length > 0 && same(std::string_view(given, static_cast<std::size_t>(length)), token);
  }

  int handle(mg_connection* connection) {
    const mg_request_info* request = mg_get_request_info(connection);
    const std::string_view method(request->request_method ? request->request_method : "");
    const std::string_view path(request->local_uri ? request->local_uri : "");
    const bool head = method == "HEAD";
    if (method != "GET" && !head)
      return answer(connection, 405, "Method Not Allowed", "text/plain", "GET only\n", head);
    if (!authorized(connection, request))
      return answer(connection, 401, "Unauthorized", "text/plain",
                    "this dashboard needs the token the broker printed: open http://HOST:PORT/?token=TOKEN\n", head);
    if (path == "/" || path == "/index.html")
      return answer(connection, 200, "OK", "text/html; charset=utf-8", dashboard_page(), head);
    if (path == "/api/run") {
      std::string body;
      {
        std::lock_guard lock(mutex);
        body = snapshot;
      }
      if (body.empty()) return answer(connection, 503, "Service Unavailable", "text/plain", "not yet\n", head);
      return answer(connection, 200, "OK", "application/json", body, head);
    }
    return answer(connection, 404, "Not Found", "text/plain", "not found\n", head);
  }
};

DashboardServer::DashboardServer(const std::string& bind, std::string token)
    : impl_(std::make_unique<Impl>(std::move(token))) {
  const HostPort where = parse_host_port(bind, "--http");
  const bool everywhere = where.host == "*";
  // civetweb's syntax: PORT for every interface, HOST:PORT, [V6]:PORT.
  const std::string listen = everywhere ? std::to_string(where.port)
                             : where.host.find(':') != std::string::npos
                                 ? "[" + where.host + "]:" + std::to_string(where.port)
                                 : where.host + ":" + std::to_string(where.port);
  mg_init_library(0);
  const char* options[] = {"listening_ports",   listen.c_str(), "num_threads", "2", "request_timeout_ms", "5000",
                           "enable_keep_alive", "no",           nullptr};
  mg_callbacks callbacks{};
  callbacks.log_message = [](const mg_connection*, const char*) { return 1; };  // its own log stays quiet
  impl_->context = mg_start(&callbacks, impl_.get(), options);
  if (impl_->context == nullptr) {
    mg_exit_library();
    throw ConfigError("--http " + bind +
                      ": cannot listen there (the port is in use, or the address is not this host's)");
  }
  mg_set_request_handler(
      impl_->context, "/",
      [](mg_connection* connection, void* impl) { return static_cast<Impl*>(impl)->handle(connection); }, impl_.get());
  mg_server_port ports[4];
  const int found = mg_get_server_ports(impl_->context, 4, ports);
  impl_->port = found > 0 ? static_cast<unsigned>(ports[0].port) : where.port;
  impl_->knock_host = local_host_for(where.host);
  const std::string shown = everywhere || where.host == "0.0.0.0"       ? host_name()
                            : where.host.find(':') != std::string::npos ? "[" + where.host + "]"
                                                                        : where.host;
  impl_->url = "http://" + shown + ":" + std::to_string(impl_->port) + "/" +
               (impl_->token.empty() ? "" : "?token=" + impl_->token);
}

DashboardServer::~DashboardServer() {
  stop_while_knocking(impl_->knock_host, impl_->port, [this] { mg_stop(impl_->context); });
  mg_exit_library();
}

void DashboardServer::publish(std::string snapshot) {
  std::lock_guard lock(impl_->mutex);
  impl_->snapshot = std::move(snapshot);
}

const std::string& DashboardServer::url() const { return impl_->url; }

std::string random_token() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw ConfigError("no random bytes for the dashboard's token");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace ramify
