#pragma once
// One named spdlog logger per component, writing to standard error.

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace ramify {

// The logger of a component ("broker", "worker", "sink", "run"...), created on first use.
std::shared_ptr<spdlog::logger> logger(const std::string& component);
// Sets the level of every ramify logger ("debug", "info", "warn", "error", "off").
void set_log_level(const std::string& level);

}  // namespace ramify
