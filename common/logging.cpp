#include "common/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <mutex>

#include "common/errors.hpp"

namespace ramify {
namespace {
std::mutex g_mutex;
spdlog::level::level_enum g_level = spdlog::level::info;
}  // namespace

std::shared_ptr<spdlog::logger> logger(const std::string& component) {
  std::lock_guard lock(g_mutex);
  if (auto existing = spdlog::get(component)) return existing;
  auto created = spdlog::stderr_color_mt(component);
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
