// Durations on command lines: --max-lifetime, and Slurm's --time.

#include <gtest/gtest.h>

#include "util/duration.hpp"
#include "util/errors.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;

TEST(Duration, TakesSecondsAndUnits) {
  EXPECT_EQ(parse_duration("90", "--x"), 90s);
  EXPECT_EQ(parse_duration("2.5s", "--x"), 2500ms);
  EXPECT_EQ(parse_duration("30m", "--x"), 30min);
  EXPECT_EQ(parse_duration("1h30m", "--x"), 90min);
  EXPECT_EQ(parse_duration("1d", "--x"), 24h);
  for (const char* bad : {"", "h", "1h30", "-5", "1x", "5 s", "99999999999d"})
    EXPECT_THROW(parse_duration(bad, "--x"), ConfigError) << bad;
}

TEST(Duration, ReadsEverySlurmTimeFormat) {
  EXPECT_EQ(parse_slurm_time("30", "--time"), 30min);
  EXPECT_EQ(parse_slurm_time("30:15", "--time"), 30min + 15s);
  EXPECT_EQ(parse_slurm_time("4:00:00", "--time"), 4h);
  EXPECT_EQ(parse_slurm_time("2-12", "--time"), 60h);
  EXPECT_EQ(parse_slurm_time("1-00:30", "--time"), 24h + 30min);
  EXPECT_EQ(parse_slurm_time("1-00:00:05", "--time"), 24h + 5s);
  EXPECT_EQ(parse_slurm_time("UNLIMITED", "--time"), 0s);
  for (const char* bad : {"", "1:2:3:4", "a", "1-", "-5", "1-2:3:4:5"})
    EXPECT_THROW(parse_slurm_time(bad, "--time"), ConfigError) << bad;
}

}  // namespace
}  // namespace ramify
