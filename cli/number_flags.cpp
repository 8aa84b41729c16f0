#include "cli/number_flags.hpp"

#include <cmath>
#include <string>

#include "spec/job_spec.hpp"

namespace ramify {

std::uint64_t count_flag(const boost::program_options::variables_map& vm, const char* name, std::uint64_t min,
                         std::uint64_t max) {
  return parse_count(vm[name].as<std::string>(), std::string("--") + name, min, max);
}

std::chrono::milliseconds seconds_flag(const boost::program_options::variables_map& vm, const char* name,
                                       double min, double max) {
  return std::chrono::milliseconds(
      std::llround(parse_seconds(vm[name].as<std::string>(), std::string("--") + name, min, max) * 1000));
}

}  // namespace ramify
