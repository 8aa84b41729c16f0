#include "util/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <mutex>

#include "util/errors.hpp"
#include "util/terminal_line.hpp"

namespace ramify {
namespace {
std::mutex g_mutex;
spdlog::level::level_enum g_level = spdlog::level::info;

// Standard error, written above the progress line while one is shown.
class AboveTheLineSink : public spdlog::sinks::sink {
 public:
  AboveTheLineSink() : inner_(std::make_shared<spdlog::sinks::stderr_color_sink_mt>()) {}
  void log(const spdlog::details::log_msg& message) override {
    if (TerminalLine* line = TerminalLine::active()) {
      line->above([&] { inner_->log(message); });
    } else {
      inner_->log(message);
    }
  }
  void flush() override { inner_->flush(); }
  void set_pattern(const std::string& pattern) override { inner_->set_pattern(pattern); }
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
    inner_->set_formatter(std::move(formatter));
  }

 private:
  std::shared_ptr<spdlog::sinks::stderr_color_sink_mt> inner_;
};

std::shared_ptr<spdlog::sinks::sink> stderr_sink() {
  static const auto sink = std::make_shared<AboveTheLineSink>();
  return sink;
}
}  // namespace

std::shared_ptr<spdlog::logger> logger(const std::string& component) {
  std::lock_guard lock(g_mutex);
  if (auto existing = spdlog::get(component)) return existing;
  auto created = std::make_shared<spdlog::logger>(component, stderr_sink());
  spdlog::register_logger(created);
  created->set_pattern("%H:%M:%S.%e %^%-5l%$ [%n] %v");
  created->set_level(g_level);
  return created;
}

void set_log_level(const std::string& level) {
  auto parsed = spdlog::level::from_str(level == "warning" ? "warn" : level);
  if (parsed == spdlog::level::off && level != "off")
    throw ConfigError("unknown log level '" + level + "' (debug, info, warn, error, off)");
  std::lock_guard lock(g_mutex);
  g_level = parsed;
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) { l->set_level(parsed); });
}

}  // namespace ramify
