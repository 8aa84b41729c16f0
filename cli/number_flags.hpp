#pragma once
// Numeric flags, read as text and range-checked here: Boost would take
// `--workers -1` as 4294967295. Each throws ConfigError
//   --workers must be a whole number from 1 to 256, not '-1'
//   --connect-timeout must be a number of seconds from 0 to 10000000, not '-5'

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdint>

namespace ramify {

// Worker processes of one `ramify run`: more than a machine has cores many
// times over; more slots per worker, or more hosts, go further.
inline constexpr std::uint64_t kMaxWorkers = 256;
// Slots per worker (threads or processes); 0 means one per core.
inline constexpr std::uint64_t kMaxConcurrency = 1024;

std::uint64_t count_flag(const boost::program_options::variables_map& vm, const char* name, std::uint64_t min,
                         std::uint64_t max);
std::chrono::milliseconds seconds_flag(const boost::program_options::variables_map& vm, const char* name,
                                       double min, double max);

}  // namespace ramify
