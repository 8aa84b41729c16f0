#include "cli/job_options.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "protocol/codec.hpp"
#include "util/errors.hpp"

namespace po = boost::program_options;

namespace ramify {

void add_job_options(po::options_description& options) {
  options.add_options()
      ("config,c", po::value<std::string>(), "job spec (INI file with [job], [exec], [curator], ...; see the README)")
      ("spec-file", po::value<std::string>(), "a whole job spec as `ramify run` writes it for its broker")
      ("root", po::value<std::string>(), "directory tree to curate ([job] root)")
      ("manifest", po::value<std::string>(), "JSON Lines manifest to curate ([job] manifest)")
      ("levels", po::value<std::string>(),
       "ordered level names, comma-separated; NAME:GLOB|GLOB by folder name, NAME? may be absent; "
       "bids: the BIDS preset ([job] levels)")
      ("exclude", po::value<std::string>(),
       "paths to leave out, comma-separated globs: derivatives,**/tmp ([job] exclude)")
      ("follow-symlinks", po::value<std::string>(),
       "none | inside | all: symlinks to files curated as their target ([job] follow_symlinks)")
      ("curator", po::value<std::string>(), "noop | exec | checksum | inventory | validate | plugin | python ([job] curator)")
      ("python", po::value<std::string>(), "PATH.py: a python curator's module ([python] module); implies --curator python")
      ("exec", po::value<std::vector<std::string>>()->composing(), "LEVEL=COMMAND or LEVEL:GLOB=COMMAND (names matching GLOB only), repeatable ([exec] LEVEL)")
      ("order", po::value<std::string>(), "depth | breadth ([job] order)")
      ("partition-level", po::value<std::string>(), "level whose nodes become assignments ([job] partition_level)")
      ("on-failure", po::value<std::string>(), "kill | finish | continue ([job] on_failure)")
      ("state", po::value<std::string>(), "SQLite state store: curate only what changed since the last run, carry the rest over ([job] state)")
      ("rerun", po::value<std::string>(), "with --state: changed | failed | all ([job] rerun)")
      ("set", po::value<std::vector<std::string>>()->composing(), "section.key=value, repeatable: overrides any key");
}

namespace {

JobSpec read_spec_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("cannot read the spec file " + path + ": " + std::strerror(errno));
  std::stringstream bytes;
  bytes << in.rdbuf();
  try {
    return JobSpec::from_entries(decode<SpecReply>(bytes.str()).entries);
  } catch (const DecodeError& e) {
    throw ConfigError("spec file " + path + ": " + e.what());
  }
}

}  // namespace

void save_spec_file(const JobSpec& spec, const std::string& path) {
  SpecReply saved;
  saved.entries = spec.entries();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << encode(saved);
  out.close();
  if (!out) throw std::runtime_error("cannot write the spec file " + path);
}

JobSpec job_spec_from(const po::variables_map& vm, const std::function<void(JobSpec&)>& more_shorthands) {
  if (vm.count("config") && vm.count("spec-file")) throw ConfigError("--config and --spec-file exclude each other");
  JobSpec spec = vm.count("config")      ? JobSpec::from_file(vm["config"].as<std::string>())
                 : vm.count("spec-file") ? read_spec_file(vm["spec-file"].as<std::string>())
                                         : JobSpec{};
  const std::pair<const char*, const char*> shorthands[] = {
      {"root", "root"},         {"manifest", "manifest"},
      {"levels", "levels"},     {"curator", "curator"},
      {"order", "order"},       {"partition-level", "partition_level"},
      {"on-failure", "on_failure"}, {"exclude", "exclude"}, {"follow-symlinks", "follow_symlinks"}};
  for (const auto& [flag, key] : shorthands)
    if (vm.count(flag)) spec.set("job", key, vm[flag].as<std::string>());
  if (vm.count("exec")) {
    for (const auto& item : vm["exec"].as<std::vector<std::string>>()) {
      auto eq = item.find('=');
      if (eq == std::string::npos || eq == 0) throw ConfigError("--exec expects LEVEL=COMMAND, got '" + item + "'");
      spec.set("exec", item.substr(0, eq), item.substr(eq + 1));
    }
    if (!vm.count("curator") && !spec.find("job", "curator")) spec.set("job", "curator", "exec");
  }
  if (vm.count("python")) {
    spec.set("python", "module", std::filesystem::absolute(vm["python"].as<std::string>()).string());
    if (!vm.count("curator") && !spec.find("job", "curator")) spec.set("job", "curator", "python");
  }
  if (vm.count("state")) spec.set("job", "state", std::filesystem::absolute(vm["state"].as<std::string>()).string());
  if (vm.count("rerun")) spec.set("job", "rerun", vm["rerun"].as<std::string>());
  if (more_shorthands) more_shorthands(spec);
  if (vm.count("set"))
    for (const auto& item : vm["set"].as<std::vector<std::string>>()) spec.apply_override(item);
  spec.validate();
  return spec;
}

}  // namespace ramify
