// `ramify report REPORT --html OUT`: the HTML run report of a report file.

#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/html_option.hpp"
#include "html_report/html_report.hpp"
#include "sink/postgresql_report.hpp"
#include "util/errors.hpp"

namespace po = boost::program_options;

namespace ramify {

int report_command(const Arguments& args) {
  po::options_description options("ramify report options");
  options.add_options()("help,h", "show this help")
      ("html", po::value<std::string>(), "write the HTML run report to this file (self-contained: it loads nothing)")
      ("force", "replace an existing HTML file");
  po::options_description hidden;
  hidden.add_options()("report", po::value<std::vector<std::string>>(), "the report");
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("report", -1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::cout << "Usage: ramify report REPORT --html OUT.html [--force]\n"
                 "Writes one self-contained HTML file from a report (.jsonl, .csv, .db): the summary, a\n"
                 "timeline of every slot on every worker, durations and resource use by level, the\n"
                 "failures and the slowest nodes. The report may still be written by a sink: what it\n"
                 "holds so far is shown.\n"
                 "Exit status: 0 written, 1 it could not be written, 2 usage error or unreadable report.\n\n"
              << options << "\n";
    return kExitOk;
  }
  po::notify(vm);
  if (!vm.count("report")) throw ConfigError("which report? (ramify report REPORT --html OUT.html)");
  const auto reports = vm["report"].as<std::vector<std::string>>();
  if (reports.size() > 1) throw ConfigError("one report at a time, got '" + reports[0] + "' and '" + reports[1] + "'");
  if (!vm.count("html")) throw ConfigError("say what to write: --html OUT.html");
  const std::string out = vm["html"].as<std::string>();
  check_html_path(out, vm.count("force") > 0);
  if (!is_postgresql_address(reports[0]) && !std::filesystem::exists(reports[0]))
    throw ConfigError("report " + reports[0] + " does not exist");
  const RunFigures figures = write_html_report(reports[0], out);
  std::cout << "ramify: wrote " << out << " (" << figures.nodes() << " nodes, " << figures.failed << " failed)\n";
  return kExitOk;
}

}  // namespace ramify
