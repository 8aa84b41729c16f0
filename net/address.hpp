#pragma once
// Where a daemon's sockets live. An address is "HOST", "HOST:PORT_BASE",
// "ipc://PATH_PREFIX" or "inproc://NAME" (daemons of one process sharing a
// ZMQ context: tests). A daemon uses a block of consecutive ports from its
// base (tcp), or one local endpoint per socket ("PATH_PREFIX.NAME").

#include <string>

namespace ramify {

inline constexpr int kBrokerPortBase = 5550;
inline constexpr int kSinkPortBase = 5560;

// Offsets in a daemon's port block.
inline constexpr int kWorkPort = 0;     // broker ROUTER: assignments out, worker messages in
inline constexpr int kConfigPort = 2;   // broker REP: job spec, status, report confirmation
inline constexpr int kControlPort = 3;  // broker PUB: hb, kill, finish
inline constexpr int kLogsPort = 0;     // sink SUB: log batches from workers
inline constexpr int kTailPort = 1;     // sink XPUB: acknowledgements and records for tailers
inline constexpr int kSinkStatusPort = 2;  // sink REP: status

class Address {
 public:
  // Throws ConfigError for an unusable address. `default_base` applies when no port is given.
  static Address parse(const std::string& text, int default_base);

  // The endpoint of one socket of the block: "tcp://host:port" or "ipc://prefix.name".
  std::string endpoint(int offset, const std::string& name) const;
  // ipc:// or inproc://: on this machine only, and no host to derive another daemon's address from.
  bool is_ipc() const { return !local_scheme_.empty(); }
  bool is_loopback() const;
  const std::string& host() const { return host_; }
  int port_base() const { return base_; }
  std::string text() const;

 private:
  std::string local_scheme_;  // "ipc" or "inproc"; empty for tcp
  std::string host_;          // tcp host, or the local path prefix or name
  int base_ = 0;
};

}  // namespace ramify
