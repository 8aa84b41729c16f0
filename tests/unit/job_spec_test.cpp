#include <gtest/gtest.h>

#include "curators/curator_factory.hpp"
#include "spec/job_spec.hpp"
#include "support/temp_dir.hpp"
#include "util/errors.hpp"

namespace ramify {
namespace {

using testing::TempDir;

std::string load_error(const std::string& ini) {
  TempDir dir;
  try {
    JobSpec::from_file(dir.write("job.ini", ini)).validate();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(JobSpec, ReadsSectionsAndAppliesDefaults) {
  TempDir dir;
  JobSpec spec = JobSpec::from_file(dir.write("job.ini",
                                              "# a job\n"
                                              "[job]\n"
                                              "root = /data/study\n"
                                              "levels = project, subject, session\n"
                                              "curator = exec\n"
                                              "order = breadth\n"
                                              "[exec]\n"
                                              "file = sha256sum {path}\n"));
  spec.validate();
  EXPECT_EQ(spec.get("job", "root"), "/data/study");
  EXPECT_EQ(spec.levels(), (std::vector<std::string>{"project", "subject", "session"}));
  EXPECT_EQ(spec.order(), WalkOrder::breadth);
  EXPECT_EQ(spec.partition_depth(), 1u);
  EXPECT_EQ(spec.on_failure(), FailurePolicy::kill);
  EXPECT_EQ(spec.max_attempts(), 3u);
  EXPECT_EQ(spec.section("exec").at("file"), "sha256sum {path}");
}

TEST(JobSpec, CuratorOptionsAreFreeForAPlugin) {
  TempDir dir;
  JobSpec spec = JobSpec::from_file(dir.write("job.ini",
                                              "[job]\nroot = /data\ncurator = plugin\nplugin = /p.so\n"
                                              "[curator]\nanything = goes\n"));
  spec.validate();
  EXPECT_EQ(spec.section("curator").at("anything"), "goes");
}

TEST(JobSpec, OverridesWinAndBareKeysMeanTheJobSection) {
  JobSpec spec;
  spec.apply_override("job.root=/a");
  spec.apply_override("partition_level = session");
  spec.apply_override("exec.file=echo {id}");
  spec.apply_override("curator=exec");
  spec.validate();
  EXPECT_EQ(spec.get("job", "root"), "/a");
  EXPECT_EQ(spec.partition_depth(), 2u);
  EXPECT_THROW(spec.apply_override("novalue"), ConfigError);
}

TEST(JobSpec, ParsesByteSizes) {
  EXPECT_EQ(parse_bytes("", "x"), 0u);
  EXPECT_EQ(parse_bytes("4096", "x"), 4096u);
  EXPECT_EQ(parse_bytes("512M", "x"), 512u << 20);
  EXPECT_EQ(parse_bytes("2g", "x"), 2ull << 30);
  EXPECT_THROW(parse_bytes("lots", "x"), ConfigError);
}

TEST(JobSpec, RoundTripsThroughItsEntries) {
  JobSpec spec;
  spec.set("job", "root", "/a");
  spec.set("exec", "file", "x {path}");
  JobSpec copy = JobSpec::from_entries(spec.entries());
  EXPECT_EQ(copy.entries(), spec.entries());
}

TEST(JobSpec, RejectsUnknownSectionsAndKeys) {
  EXPECT_NE(load_error("[jobb]\nroot = /a\n").find("unknown section [jobb]"), std::string::npos);
  EXPECT_NE(load_error("[job]\nroot = /a\nrooot = /b\n").find("unknown key 'rooot'"), std::string::npos);
}

TEST(JobSpec, NamesAMalformedLine) {
  std::string error = load_error("[job]\nroot = /a\nthis line has no equals sign\n");
  EXPECT_NE(error.find("job.ini"), std::string::npos) << error;
  EXPECT_NE(error.find("this line has no equals sign"), std::string::npos) << error;
}

TEST(JobSpec, ALineWithBoostPlaceholdersIsRefusedNotLoopedOn) {
  // Boost 1.74 formats its own error for such a line forever (found by fuzzing).
  std::string error = load_error("[job]\nroot = /a\nbroken %invalid_line% line %value%\n");
  EXPECT_NE(error.find("job.ini line 3:"), std::string::npos) << error;
}

TEST(JobSpec, RejectsDuplicateKeysAndKeysOutsideSections) {
  EXPECT_NE(load_error("[job]\nroot = /a\nroot = /b\n").find("appears twice"), std::string::npos);
  EXPECT_NE(load_error("root = /a\n").find("outside any [section]"), std::string::npos);
}

TEST(JobSpec, ValidatesValues) {
  auto invalid = [](std::vector<std::string> overrides) {
    JobSpec spec;
    for (const auto& o : overrides) spec.apply_override(o);
    try {
      spec.validate();
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(invalid({}).find("root (a directory tree) or a manifest"), std::string::npos);
  EXPECT_EQ(invalid({"root=/a", "manifest=/b"}), "");  // the manifest's nodes live under the root
  EXPECT_NE(invalid({"root=/a", "curator=magic"}).find("unknown curator 'magic'"), std::string::npos);
  EXPECT_NE(invalid({"root=/a", "partition_level=planet"}).find("unknown level 'planet'"), std::string::npos);
  EXPECT_NE(invalid({"root=/a", "levels=a,file"}).find("reserved"), std::string::npos);
  EXPECT_NE(invalid({"root=/a", "levels=a,a"}).find("twice"), std::string::npos);
  EXPECT_EQ(invalid({"root=/a", "levels=bids", "exec.datatype=true", "curator=exec"}), "");
  EXPECT_NE(invalid({"root=/a", "levels=bids", "partition_level=session"}).find("'session' may be absent"),
            std::string::npos);
  EXPECT_NE(invalid({"root=/a", "levels=p,s:"}).find("a pattern is a name glob"), std::string::npos);
  EXPECT_NE(invalid({"root=/a", "exclude=/etc"}).find("not a path below the root"), std::string::npos);
  EXPECT_NE(invalid({"root=/a", "exclude_git=maybe"}).find("exclude_git: 'maybe' is neither true nor false"), std::string::npos);
  EXPECT_NE(invalid({"manifest=/m.jsonl", "exclude=derivatives"}).find("[job] exclude does nothing unless the "
                                                                         "hierarchy is a directory tree"),
            std::string::npos);
  EXPECT_NE(invalid({"root=/a", "follow_symlinks=sometimes"}).find("follow_symlinks: 'sometimes' is not none, inside or all"),
            std::string::npos);
  EXPECT_NE(invalid({"manifest=/m.jsonl", "follow_symlinks=all"}).find("[job] follow_symlinks does nothing unless"),
            std::string::npos);
  EXPECT_EQ(invalid({"root=/a", "curator=exec", "exec.file:*.json|*.tsv=true", "exec.file=true"}), "");
  EXPECT_NE(invalid({"root=/a", "curator=exec", "exec.planet:*.json=true"}).find("'planet:*.json' is not a level, nor LEVEL:GLOB"),
            std::string::npos);
  EXPECT_NE(invalid({"root=/a", "order=sideways"}).find("order"), std::string::npos);
  EXPECT_NE(invalid({"root=/a", "exec.planet=echo"}).find("'planet' is not a level"), std::string::npos);
  EXPECT_NE(invalid({"root=/a", "curator=exec"}).find("[exec]"), std::string::npos);
  EXPECT_NE(invalid({"root=/a", "heartbeat=soon"}).find("heartbeat"), std::string::npos);
  EXPECT_NE(invalid({"root=/a", "max_attempts=0"}).find("max_attempts"), std::string::npos);
  EXPECT_NE(invalid({"root=/a", "on_failure=panic"}).find("on_failure"), std::string::npos);
  EXPECT_EQ(invalid({"root=/a"}), "");
}

// What a user sees for a spec given with --set (no file, so no line number).
std::string override_error(std::vector<std::string> overrides) {
  try {
    JobSpec spec;
    for (const auto& o : overrides) spec.apply_override(o);
    spec.validate();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

TEST(JobSpec, InlineCommentsAreNotPartOfValues) {
  TempDir dir;
  JobSpec spec = JobSpec::from_file(dir.write("job.ini",
                                              "[job]\n"
                                              "root = /data   ; the study\n"
                                              "curator = validate # naming rules\n"
                                              "[validate]\n"
                                              "subject = ^sub-[A-Za-z0-9]+$                  ; a label must fully match\n"
                                              "fail_on_violation = false                     ; true: findings fail\n"));
  spec.validate();
  EXPECT_EQ(spec.get("job", "root"), "/data");
  EXPECT_EQ(spec.curator(), "validate");
  EXPECT_EQ(spec.get("validate", "subject"), "^sub-[A-Za-z0-9]+$");
  EXPECT_EQ(spec.get("validate", "fail_on_violation"), "false");
}

TEST(JobSpec, AKeyUnderTheWrongSectionNamesItsSection) {
  const std::string error = load_error(
      "# naming rules for a BIDS study\n"
      "[job]\n"
      "root = /data\n"
      "levels = project,subject,session\n"
      "[validate]\n"
      "subject = ^sub-(\n"
      "curator = validate\n");
  EXPECT_TRUE(ends_with(error, "job.ini line 7: 'curator' is a [job] key, not a [validate] key")) << error;
  EXPECT_TRUE(ends_with(load_error("[job]\nroot = /a\ncurator = checksum\nverify = /sums\n"),
                        "job.ini line 4: 'verify' is a [checksum] key, not a [job] key"));
  EXPECT_TRUE(ends_with(load_error("[job]\nroot = /a\ncurator = exec\n[exec]\nfile = x {path}\ntimeout = 60\n"),
                        "job.ini line 6: 'timeout' is a [job] key, not an [exec] key"));
  EXPECT_TRUE(ends_with(load_error("[job]\nroot = /a\n[curator]\nroot = /b\n"),
                        "job.ini line 4: 'root' is a [job] key, not a [curator] key"));
  EXPECT_EQ(override_error({"root=/a", "validate.curator=validate"}), "'curator' is a [job] key, not a [validate] key");
  EXPECT_EQ(override_error({"root=/a", "fail_on_violation=true"}),
            "'fail_on_violation' is a [validate] key, not a [job] key");
  // A level may carry the name of a [job] key: then it is a rule for that level.
  EXPECT_EQ(override_error({"root=/a", "levels=root,subject", "curator=validate", "validate.root=^r$"}), "");
}

TEST(JobSpec, UnknownKeysAndSectionsGetTheLineAndASuggestion) {
  EXPECT_TRUE(ends_with(load_error("[job]\nroot = /a\nrooot = /b\n"),
                        "job.ini line 3: unknown key 'rooot' in [job] (did you mean 'root'?)"));
  EXPECT_TRUE(ends_with(load_error("[job]\nroot = /a\npartition-level = subject\n"),
                        "job.ini line 3: unknown key 'partition-level' in [job] (did you mean 'partition_level'?)"));
  EXPECT_TRUE(ends_with(load_error("[jobs]\nroot = /a\n"), "job.ini line 2: unknown section [jobs] (did you mean [job]?)"));
  // Nothing close: no guess.
  EXPECT_TRUE(ends_with(load_error("[job]\nroot = /a\nwokers = 3\n"), "job.ini line 3: unknown key 'wokers' in [job]"));
  EXPECT_TRUE(ends_with(load_error("[job]\nroot = /a\ncurator = exec\n[exec]\nsubjct = true\n"),
                        "job.ini line 5: [exec]: 'subjct' is not a level, nor LEVEL:GLOB (levels are "
                        "project,subject,session,acquisition, folder, file) (did you mean 'subject'?)"));
}

// The curators' own checks of their sections say where the key was set, too.
TEST(JobSpec, RuleErrorsNameTheLineAndTheNearestRule) {
  TempDir dir;
  auto curator_error = [&](const std::string& ini) {
    try {
      JobSpec spec = JobSpec::from_file(dir.write("job.ini", ini));
      spec.validate();
      make_curator(spec);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const std::string job = "[job]\nroot = /a\nlevels = project,subject,session\ncurator = validate\n[validate]\n";
  EXPECT_TRUE(ends_with(curator_error(job + "sesion.requires = anat\n"),
                        "job.ini line 6: [validate] sesion.requires: not a rule: LEVEL = REGEX, LEVEL.requires = a,b "
                        "or fail_on_violation (levels are project,subject,session, folder, file) "
                        "(did you mean 'session.requires'?)"));
  const std::string regex_error = curator_error(job + "subject = ^sub-(\n");
  EXPECT_NE(regex_error.find("job.ini line 6: [validate] subject: invalid regular expression: ^sub-( ("),
            std::string::npos)
      << regex_error;
  EXPECT_TRUE(ends_with(curator_error("[job]\nroot = /a\ncurator = exec\n[exec]\nfile = echo {nope}\n"),
                        "job.ini line 5: [exec] file: unknown placeholder {nope} (known: {path} {id} {label} {level} "
                        "{parent} {input:NAME} for an [inputs] NAME)"));
}

TEST(JobSpec, KeysThatDoNothingForTheCuratorOrIsolationAreErrors) {
  EXPECT_EQ(override_error({"root=/a", "job.plugin=/tmp/nope.so"}),
            "[job] plugin does nothing unless curator = plugin (the curator is noop)");
  EXPECT_EQ(override_error({"root=/a", "curator=checksum", "exec.file=wc -c {path}"}),
            "[exec] file does nothing unless curator = exec (the curator is checksum)");
  EXPECT_EQ(override_error({"root=/a", "timeout=60"}), "[job] timeout does nothing unless curator = exec (the curator is noop)");
  EXPECT_EQ(override_error({"root=/a", "retries=2", "curator=inventory"}),
            "[job] retries does nothing unless curator = exec (the curator is inventory)");
  EXPECT_EQ(override_error({"root=/a", "slot_memory_limit=512M"}),
            "[job] slot_memory_limit does nothing unless isolation = process (isolation is thread)");
  EXPECT_EQ(override_error({"root=/a", "max_nodes_per_slot=100", "isolation=thread"}),
            "[job] max_nodes_per_slot does nothing unless isolation = process (isolation is thread)");
  EXPECT_EQ(override_error({"root=/a", "split=off", "split_above=500"}),
            "[job] split_above does nothing unless split = auto or on (split is off)");
  EXPECT_EQ(override_error({"root=/a", "split=on", "split_above=500"}), "");
  EXPECT_EQ(override_error({"root=/a", "curator=exec", "exec.file=x", "checksum.verify=/sums"}),
            "[checksum] verify does nothing unless curator = checksum (the curator is exec)");
  EXPECT_EQ(override_error({"root=/a", "curator=checksum", "validate.subject=^sub-"}),
            "[validate] subject does nothing unless curator = validate (the curator is checksum)");
  EXPECT_EQ(override_error({"root=/a", "validate.fail_on_violation=true"}),
            "[validate] fail_on_violation does nothing unless curator = validate (the curator is noop)");
  EXPECT_EQ(override_error({"root=/a", "curator.max_bytes=10"}),
            "[curator] max_bytes does nothing unless curator = plugin or python (the curator is noop)");
  EXPECT_EQ(override_error({"root=/a", "curator=validate", "inputs.refs=/r"}),
            "[inputs] refs does nothing unless curator = exec, plugin or python (the curator is validate)");
  EXPECT_EQ(override_error({"root=/a", "python.module=/m.py"}),
            "[python] module does nothing unless curator = python (the curator is noop)");
  EXPECT_EQ(override_error({"root=/a", "curator=python"}),
            "curator python needs [python] module = /path/to/curator.py (or --python)");
  EXPECT_EQ(override_error({"root=/a", "curator=python", "python.module=/m.py", "isolation=thread"})
                .rfind("isolation = thread cannot run a python curator", 0),
            0u);
  EXPECT_EQ(override_error({"root=/a", "curator=python", "python.module=/m.py", "max_nodes_per_slot=5"}), "");
  // The same keys where they take effect.
  EXPECT_EQ(override_error({"root=/a", "curator=plugin", "plugin=/p.so", "curator.max_bytes=10", "inputs.refs=/r",
                            "isolation=process", "slot_memory_limit=512M", "max_nodes_per_slot=100"}),
            "");
  EXPECT_EQ(override_error({"root=/a", "curator=exec", "exec.file=x", "timeout=60", "retries=2", "skip_exit=99",
                            "inputs.refs=/r"}),
            "");
  EXPECT_EQ(override_error({"root=/a", "curator=checksum", "checksum.verify=/sums"}), "");
  EXPECT_EQ(override_error({"root=/a", "curator=validate", "validate.subject=^sub-", "validate.fail_on_violation=true"}), "");
  // From a file, the message says where.
  EXPECT_TRUE(ends_with(load_error("[job]\nroot = /a\ncurator = checksum\n[exec]\nfile = wc -c {path}\n"),
                        "job.ini line 5: [exec] file does nothing unless curator = exec (the curator is checksum)"));
}

TEST(JobSpec, NumbersAreRangeChecked) {
  EXPECT_EQ(override_error({"root=/a", "max_attempts=0"}), "job.max_attempts must be a whole number from 1 to 100, not '0'");
  EXPECT_EQ(override_error({"root=/a", "max_attempts=101"}),
            "job.max_attempts must be a whole number from 1 to 100, not '101'");
  EXPECT_EQ(override_error({"root=/a", "liveness=-1"}), "job.liveness must be a whole number from 1 to 100, not '-1'");
  EXPECT_EQ(override_error({"root=/a", "heartbeat=0.001"}),
            "job.heartbeat must be a number of seconds from 0.01 to 60, not '0.001'");
  EXPECT_EQ(override_error({"root=/a", "heartbeat=soon"}), "job.heartbeat must be a number of seconds from 0.01 to 60, not 'soon'");
  EXPECT_EQ(override_error({"root=/a", "curator=exec", "exec.file=x", "timeout=-5"}),
            "job.timeout must be a number of seconds from 0 to 10000000, not '-5'");
  EXPECT_EQ(override_error({"root=/a", "curator=exec", "exec.file=x", "retries=1000"}),
            "job.retries must be a whole number from 0 to 100, not '1000'");
  EXPECT_EQ(override_error({"root=/a", "curator=exec", "exec.file=x", "skip_exit=256"}),
            "job.skip_exit must be a whole number from 0 to 255, not '256'");
  EXPECT_EQ(override_error({"root=/a", "max_failures=lots"}),
            "job.max_failures must be a whole number from 0 to 999999999999999999, not 'lots'");
  EXPECT_EQ(override_error({"root=/a", "isolation=process", "slot_memory_limit=99999999999G"}),
            "job.slot_memory_limit must be a size such as 512M, 2G or 4096 (bytes) up to 1P, not '99999999999G'");
  EXPECT_EQ(override_error({"root=/a", "require_auth=yes"}), "require_auth: 'yes' is neither true nor false");
  EXPECT_TRUE(ends_with(load_error("[job]\nroot = /a\nmax_attempts = 0   ; never\n"),
                        "job.ini line 3: job.max_attempts must be a whole number from 1 to 100, not '0'"));
}

TEST(JobSpec, RelativePathsInAJobFileStartAtItsFolder) {
  TempDir dir;
  const std::string path = dir.write("jobs/job.ini",
                                     "[job]\nroot = ../data/study\ncurator = exec\njournal = j.db\n"
                                     "[exec]\nfile = ./relative-command {path}\n[inputs]\nrefs = refs.tsv\n");
  JobSpec spec = JobSpec::from_file(path);
  spec.validate();
  EXPECT_EQ(spec.get("job", "root"), (dir.path() / "data/study").string());
  EXPECT_EQ(spec.get("job", "journal"), (dir.path() / "jobs/j.db").string());
  EXPECT_EQ(spec.get("inputs", "refs"), (dir.path() / "jobs/refs.tsv").string());
  EXPECT_EQ(spec.get("exec", "file"), "./relative-command {path}");  // a command, not a path
}

TEST(JobSpec, AFileThatCannotBeReadSaysWhy) {
  TempDir dir;
  try {
    JobSpec::from_file((dir.path() / "nope.ini").string());
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot read config " + (dir.path() / "nope.ini").string() + ": No such file or directory");
  }
  try {
    JobSpec::from_file(dir.str());
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot read config " + dir.str() + ": Is a directory");
  }
}

}  // namespace
}  // namespace ramify
