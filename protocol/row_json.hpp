#pragma once
// A report row's JSON (JSON Lines) in the parts that a later run reuses when
// it carries the row over: all but the fields the writing run sets (worker,
// seq, severity, assignment, attempt, run, and `cached` among the results).
// The sink renders them (sink/report_row.hpp); the state store keeps them.

#include <string>

namespace ramify {

struct RowJson {
  std::string head;     // "{" and the fields from kind to ts
  std::string timing;   // ",\"started\":…,\"seconds\":…", or ""
  std::string results;  // the results object, or "" without any
};

}  // namespace ramify
