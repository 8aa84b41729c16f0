#pragma once
// CSV fields as RFC 4180 has them: a field with a comma, a quote or a line
// break is quoted, quotes doubled. Bytes pass through unchanged.

#include <string>
#include <string_view>
#include <vector>

namespace ramify {

void append_csv_field(std::string& out, std::string_view field);
// Appends a record (fields joined by commas) and its "\r\n".
void append_csv_record(std::string& out, const std::vector<std::string>& fields);
// Reads the record at `pos` into `fields` and moves `pos` past it. Returns
// false when `text` ends inside the record (a record cut short by a crash).
bool next_csv_record(std::string_view text, std::size_t& pos, std::vector<std::string>& fields);

}  // namespace ramify
