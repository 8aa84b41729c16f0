#pragma once
// Runs the real ramify binary on a pseudo-terminal, as a user at a terminal
// runs it, with a deadline; and what a terminal then shows, line by line.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/ramify_binary.hpp"

extern char** environ;

namespace ramify::testing {

struct TerminalResult {
  int exit_code = -1;      // -1: killed at the deadline
  std::string bytes;       // everything the terminal received
};

// `ramify args...` with its standard input, output and error on one
// terminal of 200 columns; its temporary folders under `tmpdir`.
inline TerminalResult run_on_terminal(const std::vector<std::string>& args, const std::string& tmpdir,
                                      std::chrono::seconds timeout = std::chrono::seconds(60)) {
  const int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) throw std::runtime_error("no pseudo-terminal");
  char name[256];
  if (ptsname_r(master, name, sizeof name) != 0) throw std::runtime_error("no pseudo-terminal name");
  winsize size{};
  size.ws_col = 200;
  size.ws_row = 50;
  ioctl(master, TIOCSWINSZ, &size);

  // Everything the child needs, made before fork: after it, only system calls.
  std::vector<std::string> argv_text{ramify_binary()};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_text) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_text;
  for (char** e = environ; *e; ++e)
    if (std::string(*e).rfind("TMPDIR=", 0) != 0) env_text.emplace_back(*e);
  env_text.push_back("TMPDIR=" + tmpdir);
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    setsid();
    const int slave = open(name, O_RDWR);
    if (slave < 0) _exit(127);
    ioctl(slave, TIOCSCTTY, 0);
    dup2(slave, 0);
    dup2(slave, 1);
    dup2(slave, 2);
    if (slave > 2) close(slave);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }

  TerminalResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::optional<std::chrono::steady_clock::time_point> exited_at;
  int raw = 0;
  while (true) {
    pollfd fd{master, POLLIN, 0};
    const int ready = poll(&fd, 1, 50);
    if (ready > 0) {
      char buffer[65536];
      const ssize_t n = read(master, buffer, sizeof buffer);
      if (n > 0) {
        result.bytes.append(buffer, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (exited_at) break;  // EIO: nobody holds the terminal any more
    }
    const auto now = std::chrono::steady_clock::now();
    if (!exited_at && waitpid(pid, &raw, WNOHANG) == pid) {
      exited_at = now;
      result.exit_code = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
    }
    // After it exited, what is left is read until the terminal has been quiet a moment.
    if (exited_at && ready == 0) break;
    if (!exited_at && now > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &raw, 0);
      result.exit_code = -1;
      break;
    }
  }
  close(master);
  return result;
}

// The lines a terminal shows after receiving `bytes`: a carriage return goes
// back to the start of the line, ESC [ K clears to its end, a line feed ends
// it; colours are dropped.
inline std::vector<std::string> screen_lines(const std::string& bytes) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t column = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c == '\033' && i + 1 < bytes.size() && bytes[i + 1] == '[') {
      std::size_t end = i + 2;
      while (end < bytes.size() && (std::isdigit(static_cast<unsigned char>(bytes[end])) || bytes[end] == ';')) ++end;
      if (end < bytes.size() && bytes[end] == 'K') line.erase(std::min(column, line.size()));
      i = end;
      continue;
    }
    if (c == '\r') {
      column = 0;
    } else if (c == '\n') {
      lines.push_back(line);
      line.clear();
      column = 0;
    } else {
      if (column < line.size()) {
        line[column] = c;
      } else {
        line.push_back(c);
      }
      ++column;
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

}  // namespace ramify::testing
