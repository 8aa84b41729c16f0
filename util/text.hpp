#pragma once
// Small string helpers.

#include <string>
#include <string_view>
#include <vector>

namespace ramify {

std::string trim(std::string_view text);
std::vector<std::string> split(std::string_view text, char separator);
std::string join(const std::vector<std::string>& parts, std::string_view separator);

}  // namespace ramify
