#include "cli/run_console.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace ramify {

RunConsole::RunConsole(Progress::Mode mode, std::chrono::milliseconds interval) : mode_(mode), interval_(interval) {
  if (mode_ == Progress::Mode::line) line_ = std::make_unique<TerminalLine>(stderr);
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("cannot create a pipe");
}

RunConsole::~RunConsole() {
  finish();
  for (const Source& source : sources_) close(source.fd);
  for (int fd : child_ends_) close(fd);
  close(wake_[0]);
  close(wake_[1]);
}

ChildOutput RunConsole::pipes(Rank rank) {
  ChildOutput output;
  const bool broker = rank == Rank::broker;
  std::vector<Kind> kinds{broker ? Kind::feed : Kind::out, Kind::err};
  if (rank == Rank::worker) kinds = {Kind::err};
  for (const Kind kind : kinds) {
    int ends[2];
    // Close-on-exec: each child gets only its own write ends, as descriptors 1 and 2.
    if (pipe2(ends, O_CLOEXEC) != 0) throw std::runtime_error(std::string("cannot create a pipe: ") + strerror(errno));
    fcntl(ends[0], F_SETFL, O_NONBLOCK);
    sources_.push_back(Source{ends[0], kind, broker && kind == Kind::feed ? Rank::broker_feed : rank, {}});
    child_ends_.push_back(ends[1]);
    (kind == Kind::err ? output.err : output.out) = ends[1];
  }
  if (rank == Rank::worker) output.out = output.err;
  return output;
}

void RunConsole::close_child_ends() {
  for (int fd : child_ends_) close(fd);
  child_ends_.clear();
}

void RunConsole::start() { thread_ = std::thread([this] { pump(); }); }

void RunConsole::error(const std::string& text) {
  if (line_) {
    line_->write(stderr, text);
  } else {
    std::fputs(text.c_str(), stderr);
    std::fflush(stderr);
  }
}

void RunConsole::finish() {
  if (finished_) return;
  finished_ = true;
  stopping_ = true;
  const char byte = 1;
  [[maybe_unused]] const auto ignored = write(wake_[1], &byte, 1);
  if (thread_.joinable()) thread_.join();
  std::vector<Source*> in_order;
  for (Source& source : sources_) in_order.push_back(&source);
  std::stable_sort(in_order.begin(), in_order.end(), [](const Source* a, const Source* b) { return a->rank < b->rank; });
  for (Source* each : in_order) {  // what a thread that never started, or the last poll, left
    Source& source = *each;
    while (read_from(source)) {
    }
    deliver(source, true);
  }
  if (line_) line_->settle();
}

void RunConsole::pump() {
  std::vector<bool> open(sources_.size(), true);
  while (!stopping_) {
    std::vector<pollfd> fds;
    std::vector<std::size_t> which;
    for (std::size_t i = 0; i < sources_.size(); ++i) {
      if (!open[i]) continue;
      fds.push_back(pollfd{sources_[i].fd, POLLIN, 0});
      which.push_back(i);
    }
    fds.push_back(pollfd{wake_[0], POLLIN, 0});
    if (poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR) break;
    std::vector<std::size_t> ready;
    for (std::size_t k = 0; k < which.size(); ++k)
      if (fds[k].revents & (POLLIN | POLLHUP | POLLERR)) ready.push_back(which[k]);
    std::stable_sort(ready.begin(), ready.end(),
                     [this](std::size_t a, std::size_t b) { return sources_[a].rank < sources_[b].rank; });
    for (std::size_t i : ready) {
      Source& source = sources_[i];
      const bool more = read_from(source);
      deliver(source, !more);
      if (!more) open[i] = false;
    }
  }
}

bool RunConsole::read_from(Source& source) {
  char buffer[65536];
  while (true) {
    const ssize_t n = read(source.fd, buffer, sizeof buffer);
    if (n > 0) {
      source.pending.append(buffer, static_cast<std::size_t>(n));
      if (source.pending.size() > (1u << 20)) return true;  // deliver before reading more
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && errno == EAGAIN;  // 0: the end of the pipe
  }
}

void RunConsole::deliver(Source& source, bool at_end) {
  std::size_t end = source.pending.rfind('\n');
  if (at_end && !source.pending.empty() && source.pending.back() != '\n') {
    source.pending += '\n';  // a last line without its line end
    end = source.pending.size() - 1;
  }
  if (end == std::string::npos) return;
  const std::string whole = source.pending.substr(0, end + 1);
  source.pending.erase(0, end + 1);
  if (source.kind == Kind::feed) {
    std::size_t start = 0;
    for (std::size_t nl; (nl = whole.find('\n', start)) != std::string::npos; start = nl + 1)
      on_feed_line(whole.substr(start, nl - start));
    return;
  }
  std::FILE* stream = source.kind == Kind::out ? stdout : stderr;
  if (line_) {
    line_->write(stream, whole);
  } else {
    std::fwrite(whole.data(), 1, whole.size(), stream);
    std::fflush(stream);
  }
}

// A feed line is the progress now; an empty one says it is over (the last
// line before it is the final account).
void RunConsole::on_feed_line(const std::string& line) {
  if (progress_over_) return;
  if (line.empty()) {
    progress_over_ = true;
    if (mode_ == Progress::Mode::plain && !last_progress_.empty()) {
      std::fprintf(stderr, "%s\n", last_progress_.c_str());
      std::fflush(stderr);
    }
    if (line_) line_->settle();
    return;
  }
  last_progress_ = line;
  if (mode_ == Progress::Mode::line) {
    line_->show(line);
  } else if (mode_ == Progress::Mode::plain) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_plain_ < interval_) return;
    last_plain_ = now;
    std::fprintf(stderr, "%s\n", line.c_str());
    std::fflush(stderr);
  }
}

}  // namespace ramify
