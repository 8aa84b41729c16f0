#pragma once
// Human-readable lines for log rows and failed outcomes (coloured on a
// terminal): the node as the report's container_id names it, a finding's
// text, and the fields a log row carries (a subtree summary's figures).

#include <cstdio>
#include <string>

#include "protocol/log_record.hpp"

namespace ramify {

class ConsolePrinter {
 public:
  ConsolePrinter(std::FILE* out, bool colour) : out_(out), colour_(colour) {}
  // Prints log rows and failed outcomes; ok and skipped outcomes stay quiet.
  void print(const std::string& worker, const LogRecord& record);
  // Prints any row, outcomes included.
  void print_all(const std::string& worker, const LogRecord& record);
  // Human-readable form of one row, without colour.
  static std::string format(const std::string& worker, const LogRecord& record);

 private:
  std::FILE* out_;
  bool colour_;
};

}  // namespace ramify
