#pragma once
// Durations as people write them on command lines: "90" (seconds), "90s",
// "30m", "2h", "1d", "1h30m"; and Slurm's --time formats ("30" is minutes
// there, "1:30:00", "2-12", "2-12:00:00"). Each throws ConfigError naming
// `what` and the text.

#include <chrono>
#include <string>

namespace ramify {

std::chrono::milliseconds parse_duration(const std::string& text, const std::string& what);

// Slurm's --time: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS; "UNLIMITED"
// and "INFINITE" give zero (no limit).
std::chrono::seconds parse_slurm_time(const std::string& text, const std::string& what);

}  // namespace ramify
