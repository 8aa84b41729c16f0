#include "spec/job_keys.hpp"

#include <algorithm>

namespace ramify {

const std::vector<JobKey>& job_keys() {
  static const std::vector<JobKey> keys = {
      {"job", "root", "", "directory tree to curate (depth d under the root is level d)"},
      {"job", "manifest", "", "JSON Lines manifest to curate instead of a directory tree (with root: its nodes live at root/ID)"},
      {"job", "levels", "project,subject,session,acquisition",
       "ordered level names, each NAME, NAME:GLOB|GLOB (by folder name) or NAME?:GLOB (may be absent); bids: the BIDS preset"},
      {"job", "curator", "noop", "noop | exec | checksum | inventory | validate | plugin | python"},
      {"job", "plugin", "", "with curator = plugin: the shared library to load on every worker"},
      {"job", "order", "depth", "visiting order inside an assignment: depth | breadth"},
      {"job", "partition_level", "",
       "level whose nodes become one assignment each (default: the level below the root)"},
      {"job", "split", "auto", "auto | on | off: split subtrees too large for one assignment (auto: on for manifests; on: counts a directory tree on the broker first)"},
      {"job", "split_above", "0", "with split: the largest assignment in nodes (0: a 64th of the hierarchy)"},
      {"job", "stop_level", "", "do not descend below the nodes of this level"},
      {"job", "exclude_files", "", "comma-separated glob patterns of file names that are not visited"},
      {"job", "exclude", "",
       "comma-separated globs of paths below the root left out with everything below them (derivatives, "
       "sourcedata/**, **/tmp); directory trees"},
      {"job", "exclude_git", "true", "leave out .git and .datalad folders at any depth (directory trees)"},
      {"job", "follow_symlinks", "inside",
       "none | inside | all: which symlinks to files are curated as the file they lead to (inside: those whose "
       "target is below the root); links to folders are never descended (directory trees)"},
      {"job", "on_failure", "kill", "kill | finish | continue: what the first failure does"},
      {"job", "max_failures", "0", "with on_failure = continue: kill after this many failures (0: never)"},
      {"job", "max_attempts", "3", "attempts of an assignment whose worker dies before it is quarantined"},
      {"job", "heartbeat", "1.0", "heartbeat interval in seconds, both ways"},
      {"job", "liveness", "3", "missed heartbeats after which a peer is declared dead"},
      {"job", "isolation", "thread", "thread | process: slots as threads of the worker, or processes forked from its fork server (python: process, always)"},
      {"job", "slot_memory_limit", "0", "process isolation: resident memory (e.g. 512M) past which a slot process is replaced (0: none)"},
      {"job", "max_nodes_per_slot", "0", "process isolation: nodes after which a slot process is replaced (0: never)"},
      {"job", "timeout", "0", "exec: seconds a command may run before its process group is killed (0: none)"},
      {"job", "retries", "0", "exec: times a failing command is run again before the node fails"},
      {"job", "skip_exit", "", "exec: an exit code that marks the node skipped rather than failed"},
      {"python", "module", "", "python: the curator's module, a .py file (the broker serves it to the workers)"},
      {"python", "class", "Curator", "python: the curator class in the module"},
      {"python", "path", "", "python: folders added to sys.path, comma-separated (they must exist on every worker)"},
      {"checksum", "verify", "", "checksum: a sha256sum-format file to compare every digest with"},
      {"checksum", "recheck", "mtime",
       "checksum, with a state store: mtime (a file whose size, mtime, inode and device are unchanged keeps its "
       "digest) | always (every file is hashed again)"},
      {"validate", "fail_on_violation", "false", "validate: whether findings fail their node (and the run)"},
      {"job", "journal", "", "SQLite journal of the broker: a restarted broker finishes the run, a rerun skips what is done"},
      {"job", "state", "",
       "SQLite state store: a rerun curates only what changed, failed or has a changed curator, and carries the rest "
       "over (cached)"},
      {"job", "rerun", "changed", "with a state store: changed | failed (only what failed, and new nodes) | all"},
      {"job", "report", "", "the report ramify run writes (--report wins): .jsonl, .csv, or .db/.sqlite/.sqlite3 (SQLite)"},
      {"job", "sink", "", "address of the log sink for workers (default: the broker's host)"},
      {"job", "keys", "", "CURVE keys folder of the broker (ramify keygen); --keys wins"},
      {"job", "require_auth", "false", "true: the broker refuses to start without keys"},
  };
  return keys;
}

const JobKey* find_job_key(const std::string& section, const std::string& key) {
  const auto& keys = job_keys();
  auto it = std::find_if(keys.begin(), keys.end(), [&](const JobKey& k) {
    return k.section == section && k.key == key;
  });
  return it == keys.end() ? nullptr : &*it;
}

bool is_free_section(const std::string& section) {
  return section == "curator" || section == "exec" || section == "inputs";
}

bool is_partly_free_section(const std::string& section) { return section == "validate"; }

const std::vector<std::string>& job_sections() {
  static const std::vector<std::string> sections = {"job",      "exec",     "curator", "inputs",
                                                     "checksum", "validate", "python"};
  return sections;
}

bool is_path_key(const std::string& section, const std::string& key) {
  if (section == "inputs") return true;
  if (section == "checksum") return key == "verify";
  if (section == "python") return key == "module";
  return section == "job" && (key == "root" || key == "manifest" || key == "plugin" || key == "journal" || key == "state" ||
                              key == "report" || key == "keys");
}

}  // namespace ramify
