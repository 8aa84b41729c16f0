// The job spec (INI) parser and its validation, and --set overrides: they may
// only give a spec or throw ConfigError.

#include <cstddef>
#include <cstdint>
#include <string>

#include "spec/job_spec.hpp"
#include "util/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    ramify::JobSpec spec = ramify::JobSpec::from_text(text, "fuzz.ini");
    spec.validate();
    (void)spec.partition_depth();
  } catch (const ramify::ConfigError&) {
  }
  try {
    ramify::JobSpec spec;
    spec.apply_override(text);
  } catch (const ramify::ConfigError&) {
  }
  return 0;
}
