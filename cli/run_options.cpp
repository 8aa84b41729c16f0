#include "cli/run_options.hpp"

#include "cli/job_options.hpp"
#include "cli/split_words.hpp"
#include "util/errors.hpp"

namespace po = boost::program_options;

namespace ramify {
namespace {

// `ramify run DIR`: the root as a positional word, once.
void take_positional_root(const po::variables_map& vm, JobSpec& spec) {
  if (!vm.count("positional")) return;
  const auto& words = vm["positional"].as<std::vector<std::string>>();
  if (words.size() > 1)
    throw ConfigError("one root at most, got '" + words[0] + "' and '" + words[1] +
                      "' (a command for --exec or --set goes in quotes: --exec 'file=wc -c {path}')");
  if (vm.count("root") || vm.count("manifest"))
    throw ConfigError("'" + words[0] + "' is a root, but the job already has " +
                      (vm.count("root") ? "--root " + vm["root"].as<std::string>()
                                        : "--manifest " + vm["manifest"].as<std::string>()));
  spec.set("job", "root", words[0]);
}

}  // namespace

void add_run_options(po::options_description& options) {
  options.add_options()("help,h", "show this help")
      ("workers,w", po::value<std::string>()->default_value("2"), "worker processes, 1 to 256")
      ("concurrency,j", po::value<std::string>()->default_value("0"), "slots per worker, 0 to 1024 (0: one per core)")
      ("report,o", po::value<std::string>(),
       "the report, its format by extension: .jsonl (JSON Lines), .csv, or .db, .sqlite, .sqlite3 (SQLite); "
       "default: [job] report, else ramify-report-DATE-TIME.jsonl in the current folder")
      ("no-report", "write no report file (the summary only)")
      ("html", po::value<std::string>(), "at the end, an HTML run report made from the report (as ramify report REPORT --html FILE)")
      ("force", "replace an existing report")
      ("quiet,q", "no line per log record, no progress")
      ("progress", po::value<std::string>()->default_value("auto"), "auto | line | plain | off: progress on standard error")
      ("progress-interval", po::value<std::string>()->default_value("5"), "seconds between plain progress lines (0.1 to 3600)")
      ("verbose,v", "the daemons' own logs (joins, heartbeats) on standard error")
      ("keys", po::value<std::string>(), "CURVE keys folder (ramify keygen) for every daemon of the run ([job] keys)")
      ("require-auth", "refuse to start without keys")
      ("metrics", po::value<std::string>(), "Prometheus metrics on HOST:PORT (the broker), PORT+1 (the sink), PORT+2... (ramify run's workers)")
      ("http", po::value<std::string>(), "the live dashboard in a browser, served by the broker on HOST:PORT (127.0.0.1:8470: this machine only; with --keys it needs the token printed in its address)");
  add_job_options(options);
}

po::variables_map parse_run_arguments(const Arguments& args, const po::options_description& options) {
  po::options_description hidden;
  hidden.add_options()("positional", po::value<std::vector<std::string>>(), "the root, as a word of its own");
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("positional", -1);
  refuse_split_values(args);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  return vm;
}

JobSpec run_job_spec(const po::variables_map& vm) {
  return job_spec_from(vm, [&](JobSpec& spec) { take_positional_root(vm, spec); });
}

}  // namespace ramify
