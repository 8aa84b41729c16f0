#include "slots/fork_server.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <stdexcept>

#include "slots/process_sweep.hpp"
#include "slots/slot_child.hpp"

namespace ramify {
namespace {

struct Message {
  char kind = 0;  // 'S' spawn (with two fds), 'P' spawned pid, 'X' exited pid and status
  std::int32_t pid = 0;
  std::int32_t status = 0;
};

bool send_message(int fd, const Message& message, const int* fds = nullptr, int fd_count = 0) {
  msghdr header{};
  iovec iov{const_cast<Message*>(&message), sizeof message};
  header.msg_iov = &iov;
  header.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))] = {};
  if (fd_count > 0) {
    header.msg_control = control;
    header.msg_controllen = CMSG_SPACE(static_cast<std::size_t>(fd_count) * sizeof(int));
    cmsghdr* cmsg = CMSG_FIRSTHDR(&header);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(static_cast<std::size_t>(fd_count) * sizeof(int));
    std::memcpy(CMSG_DATA(cmsg), fds, static_cast<std::size_t>(fd_count) * sizeof(int));
  }
  return sendmsg(fd, &header, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof message);
}

// Receives one message and up to two descriptors; false at end of file.
bool receive_message(int fd, Message& message, int fds[2], int& fd_count) {
  msghdr header{};
  iovec iov{&message, sizeof message};
  header.msg_iov = &iov;
  header.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))] = {};
  header.msg_control = control;
  header.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = recvmsg(fd, &header, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return false;
  fd_count = 0;
  for (cmsghdr* cmsg = CMSG_FIRSTHDR(&header); cmsg; cmsg = CMSG_NXTHDR(&header, cmsg)) {
    if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) continue;
    fd_count = static_cast<int>((cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    std::memcpy(fds, CMSG_DATA(cmsg), static_cast<std::size_t>(std::min(fd_count, 2)) * sizeof(int));
  }
  return true;
}

// Signals the server takes through its signalfd: SIGCHLD (a slot process
// ended), SIGHUP (stop: sweep and exit; its parent death signal), SIGINT and
// SIGTERM (ignored: they reach the worker too, as a Ctrl-C or a scheduler's
// terminate, and the worker's orderly stop or drain ends with the end of file
// that starts the sweep; a drain needs the slot processes alive).
sigset_t server_signals() {
  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : {SIGCHLD, SIGTERM, SIGHUP, SIGINT}) sigaddset(&mask, sig);
  return mask;
}

// The server's loop: single-threaded, no ZMQ, no heap-hungry work. It ends
// when the worker goes away (end of file on the control channel, which comes
// both when the worker exits and when it is killed) or on SIGHUP, and
// then kills its slot processes, sweeps every process carrying the worker's
// token (every command the worker or its slot processes started, wherever it
// went), reaps and exits.
[[noreturn]] void serve(int control, const std::string& token) {
  prctl(PR_SET_NAME, "ramify-forksrv");
  // Not SIGKILL: the server must outlive the worker long enough to sweep.
  // The end of file is the main trigger; this covers a control socket that
  // some stray descendant keeps open.
  prctl(PR_SET_PDEATHSIG, SIGHUP);
  const sigset_t mask = server_signals();
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  const int signals_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  std::set<pid_t> children;
  bool stop = false;
  while (!stop) {
    pollfd fds[2] = {{control, POLLIN, 0}, {signals_fd, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo info;
      while (read(signals_fd, &info, sizeof info) > 0) {
        if (info.ssi_signo == SIGHUP) stop = true;
      }
      int status = 0;
      pid_t pid;
      while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        children.erase(pid);
        send_message(control, Message{'X', pid, status});
      }
    }
    if (stop || !(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    Message request;
    int passed[2] = {-1, -1};
    int count = 0;
    if (!receive_message(control, request, passed, count)) break;  // the worker is gone
    if (request.kind != 'S' || count != 2) {
      for (int i = 0; i < count && i < 2; ++i) close(passed[i]);
      continue;
    }
    const pid_t child = fork();
    if (child == 0) {
      close(control);
      close(signals_fd);
      sigprocmask(SIG_UNBLOCK, &mask, nullptr);
      prctl(PR_SET_NAME, "ramify-slot");
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // dies with the fork server
      slot_child_main(passed[0], passed[1]);
    }
    close(passed[0]);
    close(passed[1]);
    if (child > 0) children.insert(child);
    send_message(control, Message{'P', child, 0});
  }
  close(control);
  // Slot processes first, so that none starts a command while the sweep runs.
  for (pid_t pid : children) kill(pid, SIGKILL);
  sweep_token(token);
  while (waitpid(-1, nullptr, 0) > 0) {
  }
  _exit(0);
}

}  // namespace

std::unique_ptr<ForkServer> ForkServer::start() {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
    throw std::runtime_error(std::string("fork server: socketpair: ") + std::strerror(errno));
  // Before the fork: the server and the worker share the token, and every
  // process either of them starts from now on inherits it.
  const std::string token = make_worker_token();
  mark_environment(token);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork server: fork: ") + std::strerror(errno));
  if (pid == 0) {
    close(pair[0]);
    serve(pair[1], token);
  }
  close(pair[1]);
  return std::unique_ptr<ForkServer>(new ForkServer(pair[0], pid));
}

ForkServer::~ForkServer() {
  close(control_fd_);  // end of file: the server kills its slot processes, sweeps and exits
  int status = 0;
  waitpid(server_pid_, &status, 0);
}

void ForkServer::pump(std::chrono::milliseconds timeout) {
  pollfd fd{control_fd_, POLLIN, 0};
  if (poll(&fd, 1, static_cast<int>(timeout.count())) <= 0) return;
  Message message;
  int fds[2];
  int count = 0;
  if (!receive_message(control_fd_, message, fds, count)) throw std::runtime_error("the fork server is gone");
  if (message.kind == 'P') spawned_ = message.pid;
  if (message.kind == 'X') exited_[message.pid] = message.status;
}

pid_t ForkServer::spawn(int channel_fd, int progress_fd) {
  std::lock_guard lock(mutex_);
  const int fds[2] = {channel_fd, progress_fd};
  if (!send_message(control_fd_, Message{'S', 0, 0}, fds, 2)) throw std::runtime_error("the fork server is gone");
  spawned_.reset();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!spawned_) {
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("the fork server does not answer");
    pump(std::chrono::milliseconds(50));
  }
  if (*spawned_ <= 0) throw std::runtime_error("the fork server could not fork a slot process");
  return *spawned_;
}

std::optional<int> ForkServer::wait_status(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      auto it = exited_.find(pid);
      if (it != exited_.end()) {
        const int status = it->second;
        exited_.erase(it);
        return status;
      }
      pump(std::chrono::milliseconds(20));
    }
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
  }
}

}  // namespace ramify
