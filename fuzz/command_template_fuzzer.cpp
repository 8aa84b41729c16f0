// exec command templates: parse and expand arbitrary text; only ConfigError may come out.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "curators/command_template.hpp"
#include "util/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto command = ramify::CommandTemplate::parse(text);
    (void)command.expand([](std::string_view name) -> std::optional<std::string> {
      if (name == "path") return std::string("/data/a b;rm -rf ~");
      return std::nullopt;
    });
  } catch (const ramify::ConfigError&) {
  }
  return 0;
}
