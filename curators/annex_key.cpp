#include "curators/annex_key.hpp"

#include <algorithm>
#include <charconv>

namespace ramify {
namespace {

bool is_hex_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

std::optional<AnnexKey> parse_annex_key(std::string_view key) {
  const auto separator = key.find("--");
  if (separator == std::string_view::npos || separator == 0) return std::nullopt;
  AnnexKey parsed;
  parsed.text = std::string(key);
  std::string_view fields = key.substr(0, separator);
  const std::string_view name = key.substr(separator + 2);
  const auto dash = fields.find('-');
  parsed.backend = std::string(fields.substr(0, dash));
  if (parsed.backend.empty() ||
      !std::all_of(parsed.backend.begin(), parsed.backend.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }))
    return std::nullopt;
  fields = dash == std::string_view::npos ? std::string_view{} : fields.substr(dash + 1);
  while (!fields.empty()) {  // s1234, m1700000000, S..., C...
    const auto next = fields.find('-');
    const std::string_view field = fields.substr(0, next);
    if (field.size() < 2) return std::nullopt;
    if (field.front() == 's') {
      std::uint64_t size = 0;
      auto [end, ec] = std::from_chars(field.data() + 1, field.data() + field.size(), size);
      if (ec != std::errc() || end != field.data() + field.size()) return std::nullopt;
      parsed.size = size;
    }
    fields = next == std::string_view::npos ? std::string_view{} : fields.substr(next + 1);
  }
  if (parsed.backend == "SHA256" || parsed.backend == "SHA256E") {
    const std::string_view digest = name.substr(0, 64);
    const bool well_formed = digest.size() == 64 && std::all_of(digest.begin(), digest.end(), is_hex_digit) &&
                             (parsed.backend == "SHA256E" ? name.size() == 64 || name[64] == '.' : name.size() == 64);
    if (!well_formed) return std::nullopt;
    parsed.sha256 = std::string(digest);
  }
  return parsed;
}

std::optional<AnnexKey> annex_key_of_link(std::string_view link_target) {
  if (link_target.find("annex/objects/") == std::string_view::npos) return std::nullopt;
  const auto slash = link_target.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  return parse_annex_key(link_target.substr(slash + 1));
}

}  // namespace ramify
