#include "sink/console_printer.hpp"

#include <ctime>

#include "protocol/record_fields.hpp"

namespace ramify {
namespace {

const char* colour_of(const LogRecord& r) {
  if (r.kind == RecordKind::outcome && r.status == Status::failed) return "\033[1;31m";
  switch (r.severity) {
    case Severity::error: return "\033[31m";
    case Severity::warning: return "\033[33m";
    case Severity::debug: return "\033[2m";
    default: return "";
  }
}

std::string printable(const std::string& text) {
  std::string out;
  for (char c : text) out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  return out;
}

}  // namespace

std::string ConsolePrinter::format(const std::string& worker, const LogRecord& r) {
  std::time_t seconds = static_cast<std::time_t>(r.ts_us / 1000000);
  std::tm tm{};
  localtime_r(&seconds, &tm);
  char clock[16];
  std::strftime(clock, sizeof clock, "%H:%M:%S", &tm);
  char head[64];
  const char* tag = to_string(r.severity);
  if (r.kind == RecordKind::outcome) tag = r.status == Status::failed ? "FAILED" : r.status == Status::ok ? "OK" : "SKIPPED";
  std::snprintf(head, sizeof head, "%s.%03d %-7s", clock, static_cast<int>((r.ts_us / 1000) % 1000), tag);
  std::string line = head;
  // The node as the report names it (container_id); rows of no node name their sender.
  line += " " + printable(r.container_id.empty() ? worker : r.container_id) + ": ";
  if (r.kind == RecordKind::outcome && r.status == Status::failed) {
    line += printable(r.err);
  } else if (!r.err.empty() && r.err != r.msg) {  // a finding: "finding: <what was found>"
    line += printable(r.msg.empty() ? r.err : r.msg + ": " + r.err);
  } else {
    line += printable(r.msg);
  }
  if (r.kind == RecordKind::log) line += printable(fields_text(r.fields));  // a subtree summary's figures
  return line;
}

void ConsolePrinter::print(const std::string& worker, const LogRecord& r) {
  if (r.kind == RecordKind::outcome && r.status != Status::failed) return;
  print_all(worker, r);
}

void ConsolePrinter::print_all(const std::string& worker, const LogRecord& r) {
  const std::string line = format(worker, r);
  if (colour_) {
    std::fprintf(out_, "%s%s\033[0m\n", colour_of(r), line.c_str());
  } else {
    std::fprintf(out_, "%s\n", line.c_str());
  }
}

}  // namespace ramify
