#pragma once
// Text into HTML: escaped for element content and attribute values alike.

#include <string>
#include <string_view>

namespace ramify {

void append_html(std::string& out, std::string_view text);
std::string html_escaped(std::string_view text);
// A number for people: "1234567" -> "1,234,567"; a duration as "0.123 s",
// "12.3 s", "4 m 05 s", "2 h 03 m"; bytes as "512 B", "1.5 MiB".
std::string grouped(std::uint64_t n);
std::string duration_text(double seconds);
std::string bytes_text(double bytes);

}  // namespace ramify
