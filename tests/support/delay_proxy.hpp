#pragma once
// A TCP proxy that delays every byte by a fixed time in each direction: a
// link with a long round trip, made in the test (this kernel has no netem).
// It listens on loopback ports picked at random (offset 0, 2, 3 from a base,
// as a broker's block: work, config, control), and forwards each to a Unix
// socket (the broker's ipc:// endpoints).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ramify::testing {

class DelayProxy {
 public:
  using Clock = std::chrono::steady_clock;

  // Forwards BASE+offset to each `targets[offset]` (a Unix socket path), each
  // direction delayed by `one_way`.
  DelayProxy(const std::map<int, std::string>& targets, std::chrono::milliseconds one_way) : delay_(one_way) {
    std::mt19937 random(std::random_device{}());
    for (int attempt = 0; attempt < 100 && listeners_.empty(); ++attempt) {
      const int base = 20000 + static_cast<int>(random() % 40000);
      std::vector<Listener> opened;
      for (const auto& [offset, path] : targets) {
        const int fd = listen_on(base + offset);
        if (fd < 0) break;
        opened.push_back(Listener{fd, path});
      }
      if (opened.size() == targets.size()) {
        listeners_ = std::move(opened);
        base_ = base;
      } else {
        for (auto& l : opened) ::close(l.fd);
      }
    }
    if (listeners_.empty()) throw std::runtime_error("delay proxy: no free block of ports");
    thread_ = std::thread([this] { serve(); });
  }
  ~DelayProxy() {
    stop_ = true;
    thread_.join();
    for (auto& l : listeners_) ::close(l.fd);
    for (auto& p : pairs_) {
      ::close(p.client);
      ::close(p.server);
    }
  }
  DelayProxy(const DelayProxy&) = delete;
  DelayProxy& operator=(const DelayProxy&) = delete;

  // "127.0.0.1:BASE": what a worker gives as --broker.
  std::string address() const { return "127.0.0.1:" + std::to_string(base_); }
  // Connections accepted so far, including those closed at once because
  // nothing listened behind the proxy yet (as Docker's port proxy does).
  int accepted() const { return accepted_.load(); }

 private:
  struct Listener {
    int fd;
    std::string target;
  };
  struct Chunk {
    Clock::time_point due;
    std::string bytes;
  };
  struct Pair {
    int client, server;
    std::deque<Chunk> to_server, to_client;
    bool closed = false;
  };

  static int listen_on(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, 16) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }

  static int connect_unix(const std::string& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path.copy(address.sun_path, sizeof address.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }

  // Moves what `from` has into `queue`, due after the delay; false at end of stream.
  bool pull(int from, std::deque<Chunk>& queue) {
    char buffer[65536];
    const ssize_t n = ::read(from, buffer, sizeof buffer);
    if (n <= 0) return false;
    queue.push_back(Chunk{Clock::now() + delay_, std::string(buffer, static_cast<std::size_t>(n))});
    return true;
  }

  static void push(int to, std::deque<Chunk>& queue) {
    while (!queue.empty() && queue.front().due <= Clock::now()) {
      const std::string& bytes = queue.front().bytes;
      std::size_t sent = 0;
      while (sent < bytes.size()) {
        const ssize_t n = ::send(to, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
      }
      queue.pop_front();
    }
  }

  void serve() {
    while (!stop_) {
      std::vector<pollfd> fds;
      for (auto& l : listeners_) fds.push_back({l.fd, POLLIN, 0});
      for (auto& p : pairs_) {
        fds.push_back({p.client, static_cast<short>(p.closed ? 0 : POLLIN), 0});
        fds.push_back({p.server, static_cast<short>(p.closed ? 0 : POLLIN), 0});
      }
      ::poll(fds.data(), fds.size(), 5);
      std::size_t i = 0;
      for (auto& l : listeners_) {
        if (fds[i++].revents & POLLIN) {
          const int client = ::accept4(l.fd, nullptr, nullptr, SOCK_CLOEXEC);
          if (client >= 0) ++accepted_;
          const int server = client < 0 ? -1 : connect_unix(l.target);
          if (server < 0) {
            if (client >= 0) ::close(client);
          } else {
            pairs_.push_back(Pair{client, server, {}, {}});
          }
        }
      }
      for (std::size_t k = 0; k < pairs_.size() && i + 1 < fds.size(); ++k, i += 2) {
        Pair& p = pairs_[k];
        if ((fds[i].revents & (POLLIN | POLLHUP)) && !pull(p.client, p.to_server)) p.closed = true;
        if ((fds[i + 1].revents & (POLLIN | POLLHUP)) && !pull(p.server, p.to_client)) p.closed = true;
      }
      for (auto& p : pairs_) {
        push(p.server, p.to_server);
        push(p.client, p.to_client);
      }
      // A side that ended: once what it sent is delivered, both ends close.
      for (auto it = pairs_.begin(); it != pairs_.end();) {
        if (it->closed && it->to_server.empty() && it->to_client.empty()) {
          ::close(it->client);
          ::close(it->server);
          it = pairs_.erase(it);
        } else {
          ++it;
        }
      }
    }
  }

  std::chrono::milliseconds delay_;
  std::vector<Listener> listeners_;
  std::vector<Pair> pairs_;
  int base_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

}  // namespace ramify::testing
