#include "util/duration.hpp"

#include <cctype>
#include <vector>

#include "util/errors.hpp"

namespace ramify {
namespace {

// A whole number of at most 9 digits, or nullopt-like -1.
long long whole_number(const std::string& text) {
  if (text.empty() || text.size() > 9) return -1;
  for (char c : text)
    if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
  return std::stoll(text);
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts(1);
  for (char c : text) {
    if (c == separator) {
      parts.emplace_back();
    } else {
      parts.back() += c;
    }
  }
  return parts;
}

}  // namespace

std::chrono::milliseconds parse_duration(const std::string& text, const std::string& what) {
  auto bad = [&] {
    return ConfigError(what + " must be a duration such as 90, 90s, 30m, 2h or 1h30m, not '" + text + "'");
  };
  if (text.empty()) throw bad();
  double total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = i;
    while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.')) ++end;
    if (end == i || end - i > 12) throw bad();
    double value = 0;
    try {
      value = std::stod(text.substr(i, end - i));
    } catch (const std::exception&) {
      throw bad();
    }
    double unit = 1;
    if (end < text.size()) {
      switch (text[end]) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        default: throw bad();
      }
      ++end;
    } else if (i > 0) {
      throw bad();  // "1h30": a unit is needed after the first part
    }
    total += value * unit;
    i = end;
  }
  if (total > 1e7) throw bad();
  return std::chrono::milliseconds(static_cast<long long>(total * 1000));
}

std::chrono::seconds parse_slurm_time(const std::string& text, const std::string& what) {
  auto bad = [&] {
    return ConfigError(what + " must be a Slurm time (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS), not '" +
                       text + "'");
  };
  if (text == "UNLIMITED" || text == "INFINITE" || text == "unlimited" || text == "infinite")
    return std::chrono::seconds(0);
  long long days = 0;
  std::string clock = text;
  const auto dash = text.find('-');
  if (dash != std::string::npos) {
    days = whole_number(text.substr(0, dash));
    clock = text.substr(dash + 1);
    if (days < 0) throw bad();
  }
  std::vector<long long> parts;
  for (const std::string& part : split(clock, ':')) {
    const long long n = whole_number(part);
    if (n < 0) throw bad();
    parts.push_back(n);
  }
  long long seconds = 0;
  if (dash != std::string::npos) {  // D-HH, D-HH:MM, D-HH:MM:SS
    if (parts.size() > 3) throw bad();
    const long long scale[3] = {3600, 60, 1};
    for (std::size_t k = 0; k < parts.size(); ++k) seconds += parts[k] * scale[k];
  } else if (parts.size() == 1) {  // MM
    seconds = parts[0] * 60;
  } else if (parts.size() == 2) {  // MM:SS
    seconds = parts[0] * 60 + parts[1];
  } else if (parts.size() == 3) {  // HH:MM:SS
    seconds = parts[0] * 3600 + parts[1] * 60 + parts[2];
  } else {
    throw bad();
  }
  return std::chrono::seconds(days * 86400 + seconds);
}

}  // namespace ramify
