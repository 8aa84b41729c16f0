// What a restarted sink reads back from a report: JSON rows and CSV records.
// They may only give rows or throw DecodeError.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sink/csv_text.hpp"
#include "sink/report_row.hpp"
#include "util/errors.hpp"
#include "util/json_reader.hpp"
#include "util/json_text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    ramify::ReportRow row = ramify::report_row_from_json(ramify::parse_json(text));
    (void)ramify::report_row_json(row);
  } catch (const ramify::DecodeError&) {
  }
  std::size_t pos = 0;
  std::vector<std::string> fields;
  while (pos < text.size() && ramify::next_csv_record(text, pos, fields)) {
  }
  std::string json;
  ramify::append_json_string(json, text);
  if (ramify::parse_json(json).text != text) __builtin_trap();  // every byte string survives
  return 0;
}
