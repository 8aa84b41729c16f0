#include "sink/csv_text.hpp"

namespace ramify {

void append_csv_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_csv_record(std::string& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    append_csv_field(out, fields[i]);
  }
  out += "\r\n";
}

bool next_csv_record(std::string_view text, std::size_t& pos, std::vector<std::string>& fields) {
  fields.clear();
  std::string field;
  bool quoted = false;
  std::size_t i = pos;
  while (i < text.size()) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += c;
      }
      ++i;
      continue;
    }
    if (c == '"') {
      quoted = true;
      ++i;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      ++i;
    } else if (c == '\r' || c == '\n') {
      fields.push_back(std::move(field));
      i += (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2u : 1u;
      pos = i;
      return true;
    } else {
      field += c;
      ++i;
    }
  }
  return false;  // no line end: the record is incomplete
}

}  // namespace ramify
