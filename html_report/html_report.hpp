#pragma once
// `ramify report REPORT --html OUT` and `ramify run --html OUT`: one
// self-contained HTML file made from a report (JSON Lines, CSV or SQLite):
// the summary, a timeline of every slot on every worker, durations and
// resource use by level, the failures, the slowest nodes. Inline CSS and SVG
// only: it loads nothing, from the network or elsewhere. Its figures are also
// in a JSON block (`<script type="application/json" id="ramify-figures">`)
// for scripts and tests.

#include <string>

#include "html_report/run_figures.hpp"

namespace ramify {

// Reads the report at `report`, writes OUT (to OUT.partial first, renamed
// into place when whole) and returns the figures. Throws ConfigError (the
// report cannot be read) or WriteError (OUT cannot be written).
RunFigures write_html_report(const std::string& report, const std::string& out);

// The document itself.
std::string html_document(const RunFigures& figures, const std::string& report_name);

}  // namespace ramify
