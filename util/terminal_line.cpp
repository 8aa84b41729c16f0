#include "util/terminal_line.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>

namespace ramify {
namespace {
std::atomic<TerminalLine*> g_active{nullptr};
}  // namespace

TerminalLine::TerminalLine(std::FILE* out) : out_(out) { g_active = this; }

TerminalLine::~TerminalLine() {
  TerminalLine* self = this;
  g_active.compare_exchange_strong(self, nullptr);
}

TerminalLine* TerminalLine::active() { return g_active.load(); }

void TerminalLine::clear() {
  if (!drawn_) return;
  std::fputs("\r\033[K", out_);
  std::fflush(out_);
  drawn_ = false;
}

void TerminalLine::redraw() {
  if (settled_ || text_.empty()) return;
  // A line wider than the terminal would wrap, and only its last row would be cleared.
  winsize size{};
  std::string shown = text_;
  if (ioctl(fileno(out_), TIOCGWINSZ, &size) == 0 && size.ws_col > 1 && shown.size() >= size.ws_col)
    shown.resize(size.ws_col - 1u);
  std::fputs(shown.c_str(), out_);
  std::fflush(out_);
  drawn_ = true;
}

void TerminalLine::show(const std::string& text) {
  std::lock_guard lock(mutex_);
  if (settled_) return;
  clear();
  text_ = text;
  redraw();
}

void TerminalLine::write(std::FILE* stream, std::string_view text) {
  std::lock_guard lock(mutex_);
  clear();
  std::fwrite(text.data(), 1, text.size(), stream);
  if (text.empty() || text.back() != '\n') std::fputc('\n', stream);
  std::fflush(stream);
  redraw();
}

void TerminalLine::settle() {
  std::lock_guard lock(mutex_);
  if (settled_) return;
  if (drawn_) std::fputc('\n', out_);
  std::fflush(out_);
  drawn_ = false;
  settled_ = true;
}

}  // namespace ramify
