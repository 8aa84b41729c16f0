#include <gtest/gtest.h>

#include "curators/annex_key.hpp"
#include "curators/checksum_curator.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "support/fake_context.hpp"
#include "support/nodes.hpp"
#include "support/temp_dir.hpp"
#include "util/errors.hpp"
#include "util/sha256.hpp"

namespace ramify {
namespace {

using testing::FakeContext;
using testing::make_node;
using testing::TempDir;

// A command started without a shell, whose standard output is collected by finish().
struct Child {
  pid_t pid = -1;
  int out_fd = -1;
};

Child spawn(const std::vector<std::string>& argv, const std::string& cwd) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], STDOUT_FILENO);
    close(fds[1]);
    if (chdir(cwd.c_str()) != 0) _exit(126);
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  return {pid, fds[0]};
}

// The child's standard output; fails the test on a non-zero exit.
std::string finish(Child child) {
  std::string out;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = read(child.out_fd, buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<std::size_t>(n));
  close(child.out_fd);
  int status = 0;
  waitpid(child.pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a child command failed";
  return out;
}

std::string run_capture(const std::vector<std::string>& argv, const std::string& cwd) {
  return finish(spawn(argv, cwd));
}

// The digest in one line of sha256sum output (an escaped line starts with a backslash).
std::string digest_in(std::string line) {
  if (!line.empty() && line.front() == '\\') line.erase(0, 1);
  return line.substr(0, 64);
}

// The digest the real sha256sum prints for one file.
std::string sha256sum_of(const std::string& path) { return digest_in(run_capture({"sha256sum", path}, ".")); }

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

JobSpec spec_for(const std::string& root, const std::string& manifest = "") {
  JobSpec spec;
  spec.set("job", "root", root);
  spec.set("job", "curator", "checksum");
  if (!manifest.empty()) spec.set("checksum", "verify", manifest);
  return spec;
}

Node file_node(const std::string& id) {
  auto slash = id.rfind('/');
  return make_node(id, slash == std::string::npos ? kRootId : id.substr(0, slash), kFileLevel);
}

// Curates `id` with a fresh outcome in `ctx`.
void curate(ChecksumCurator& curator, FakeContext& ctx, const std::string& id) {
  ctx.next_node();
  Node node = file_node(id);
  ASSERT_TRUE(curator.validate(node, ctx));
  curator.curate(node, ctx);
}

std::string message_of_config_error(const JobSpec& spec) {
  try {
    ChecksumCurator curator(spec);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no ConfigError)";
}

TEST(ChecksumCurator, DigestsEqualSha256sum) {
  TempDir root;
  std::string random_bytes(3u << 20, '\0');
  std::mt19937 generator(42);
  for (char& c : random_bytes) c = static_cast<char>(generator() & 0xff);
  const std::vector<std::pair<std::string, std::string>> files = {
      {"empty", ""},
      {"small.txt", "hello, world\n"},
      {"sub/random.bin", random_bytes},
      {"with space \xff.dat", "not utf-8 in the name"},
  };
  for (const auto& [name, content] : files) root.write(name, content);

  ChecksumCurator curator(spec_for(root.str()));
  FakeContext ctx;
  ctx.root_path = root.str();
  for (const auto& [name, content] : files) {
    SCOPED_TRACE(name);
    curate(curator, ctx, name);
    EXPECT_EQ(ctx.status, Status::ok) << ctx.err;
    EXPECT_EQ(ctx.fields["sha256"], sha256sum_of(root.str() + "/" + name));
    EXPECT_EQ(ctx.fields["bytes"], std::to_string(content.size()));
  }
}

TEST(ChecksumCurator, SparseFileStreamsInBoundedMemory) {
  TempDir root;
  const std::string path = root.str() + "/sparse.img";
  const off_t size = (off_t{1} << 30) + 4096;
  {
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(ftruncate(fd, size), 0);
    const char tail[] = "tail";
    ASSERT_EQ(pwrite(fd, tail, 4, size - 4), 4);
    close(fd);
  }
  ChecksumCurator curator(spec_for(root.str()));
  FakeContext ctx;
  ctx.root_path = root.str();

  // sha256sum reads the file at the same time, in its own process, to keep the test short.
  Child reference = spawn({"sha256sum", path}, ".");
  const long before = peak_rss_kib();
  curate(curator, ctx, "sparse.img");
  const long after = peak_rss_kib();
  const std::string expected = digest_in(finish(reference));

  EXPECT_EQ(ctx.status, Status::ok) << ctx.err;
  EXPECT_EQ(ctx.fields["bytes"], std::to_string(size));
  EXPECT_LT(after - before, 64L * 1024) << "peak RSS grew by " << (after - before) << " KiB";
  EXPECT_EQ(ctx.fields["sha256"], expected);
}

TEST(ChecksumCurator, VerifyReportsMismatchExtraAndMissing) {
  TempDir root;
  TempDir elsewhere;
  root.write("a.txt", "alpha");
  root.write("sub/b.txt", "beta");
  root.write("sub/new\nline.txt", "a newline in the name");
  root.write("sub/back\\slash.txt", "a backslash in the name");
  root.write("abs.txt", "listed by absolute path");
  root.write("bad.txt", "the original");
  root.write("gone.txt", "deleted before the run");

  // The manifest as the real sha256sum writes it: relative, ./-prefixed, binary-flagged and absolute names.
  std::string manifest = "# written by sha256sum\n\n";
  manifest += run_capture({"sha256sum", "a.txt", "sub/new\nline.txt", "sub/back\\slash.txt", "bad.txt", "gone.txt"},
                          root.str());
  manifest += run_capture({"sha256sum", "--binary", "./sub/b.txt"}, root.str());
  manifest += run_capture({"sha256sum", root.str() + "/abs.txt"}, root.str());
  ASSERT_NE(manifest.find("\n\\"), std::string::npos) << "sha256sum did not escape the newline:\n" << manifest;
  ASSERT_NE(manifest.find(" *./sub/b.txt"), std::string::npos) << manifest;
  // Hex digits are case-insensitive.
  const std::size_t a_line = manifest.find("  a.txt\n") - 64;
  std::transform(manifest.begin() + static_cast<std::ptrdiff_t>(a_line),
                 manifest.begin() + static_cast<std::ptrdiff_t>(a_line + 64),
                 manifest.begin() + static_cast<std::ptrdiff_t>(a_line),
                 [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
  const std::string manifest_path = elsewhere.write("expected.sha256", manifest);

  root.write("bad.txt", "planted change");
  std::filesystem::remove(root.path() / "gone.txt");
  root.write("extra.txt", "not listed");

  ChecksumCurator curator(spec_for(root.str(), manifest_path));
  FakeContext ctx;
  ctx.root_path = root.str();

  for (const std::string id : {"a.txt", "sub/b.txt", "sub/new\nline.txt", "sub/back\\slash.txt", "abs.txt"}) {
    SCOPED_TRACE(id);
    curate(curator, ctx, id);
    EXPECT_EQ(ctx.status, Status::ok) << ctx.err;
    EXPECT_EQ(ctx.fields["sha256"].size(), 64u);
  }

  curate(curator, ctx, "bad.txt");
  EXPECT_EQ(ctx.status, Status::failed);
  const std::string expected = sha256sum_of(elsewhere.write("original", "the original"));
  const std::string got = sha256sum_of(root.str() + "/bad.txt");
  EXPECT_EQ(ctx.err, "sha256 mismatch: expected " + expected + ", got " + got);
  EXPECT_EQ(ctx.fields["sha256"], got);

  curate(curator, ctx, "extra.txt");
  EXPECT_EQ(ctx.status, Status::failed);
  EXPECT_EQ(ctx.err, "not in the verify manifest");

  ctx.next_node();
  curator.finalize_run({}, ctx);
  EXPECT_EQ(ctx.findings, std::vector<std::string>{"missing: gone.txt (listed in " + manifest_path + ")"});
  EXPECT_EQ(ctx.status, Status::failed);
  EXPECT_EQ(ctx.err, "1 file(s) of the verify manifest are missing");
}

TEST(ChecksumCurator, WithoutVerifyFinalizeRunDoesNothing) {
  TempDir root;
  ChecksumCurator curator(spec_for(root.str()));
  FakeContext ctx;
  curator.finalize_run({}, ctx);
  EXPECT_EQ(ctx.status, Status::ok);
  EXPECT_TRUE(ctx.findings.empty());
}

TEST(ChecksumCurator, MalformedManifestLineIsConfigErrorNamingTheLine) {
  TempDir root;
  const std::string digest(64, 'a');
  const std::string manifest = root.write("m.sha256", "# ok\n" + digest + "  fine.txt\n" + digest + " one-space.txt\n");
  const std::string message = message_of_config_error(spec_for(root.str(), manifest));
  EXPECT_NE(message.find(manifest + ":3:"), std::string::npos) << message;
  EXPECT_NE(message.find("malformed"), std::string::npos) << message;

  const std::string short_hex = root.write("short.sha256", std::string(63, 'a') + "   x.txt\n");
  EXPECT_NE(message_of_config_error(spec_for(root.str(), short_hex)).find(short_hex + ":1:"), std::string::npos);

  const std::string bad_escape = root.write("escape.sha256", "\\" + digest + "  a\\tb\n");
  EXPECT_NE(message_of_config_error(spec_for(root.str(), bad_escape)).find(bad_escape + ":1:"), std::string::npos);
}

TEST(ChecksumCurator, ManifestPathsOutsideTheRootAreConfigErrors) {
  TempDir root;
  TempDir elsewhere;
  const std::string digest(64, 'b');
  for (const std::string& path :
       std::vector<std::string>{"../x.txt", "sub/../../x.txt", elsewhere.str() + "/x.txt", "/etc/passwd"}) {
    SCOPED_TRACE(path);
    const std::string manifest = elsewhere.write("m.sha256", digest + "  " + path + "\n");
    const std::string message = message_of_config_error(spec_for(root.str(), manifest));
    EXPECT_NE(message.find(manifest + ":1:"), std::string::npos) << message;
    EXPECT_NE(message.find("outside the job root"), std::string::npos) << message;
  }
}

TEST(ChecksumCurator, UnreadableManifestIsConfigErrorNamingTheFile) {
  TempDir root;
  const std::string manifest = root.str() + "/no-such.sha256";
  const std::string message = message_of_config_error(spec_for(root.str(), manifest));
  EXPECT_NE(message.find(manifest), std::string::npos) << message;
  EXPECT_NE(message_of_config_error(spec_for(root.str(), root.str())).find("folder"), std::string::npos);
}

TEST(ChecksumCurator, ContainersAreNotValidated) {
  TempDir root;
  ChecksumCurator curator(spec_for(root.str()));
  FakeContext ctx;
  ctx.root_path = root.str();
  EXPECT_FALSE(curator.validate(make_node("sub", kRootId, "subject"), ctx));
  EXPECT_FALSE(curator.validate(make_node(kRootId, "", "project"), ctx));
}

// Curates the symlink `id` (whose target is written `target`) with a fresh outcome.
void curate_link(ChecksumCurator& curator, FakeContext& ctx, const std::string& id, const std::string& target) {
  ctx.next_node();
  Node link = file_node(id);
  link.attrs["symlink"] = target;
  ASSERT_TRUE(curator.validate(link, ctx));
  curator.curate(link, ctx);
}

std::string sha256_hex(std::string_view text) {
  Sha256 hash;
  hash.update(text);
  return hash.hex_digest();
}

TEST(ChecksumCurator, SymlinksToFilesAreHashedAsTheFileAsFollowSymlinksAllows) {
  TempDir outside;
  outside.write("secret.txt", "outside");
  TempDir root;
  root.write("sub/target.txt", "data");
  std::filesystem::create_symlink("target.txt", root.path() / "sub/link.txt");
  std::filesystem::create_symlink(outside.path() / "secret.txt", root.path() / "sub/away.txt");
  std::filesystem::create_symlink("../sub", root.path() / "sub/folder-link");
  std::filesystem::create_symlink("gone.txt", root.path() / "sub/dangling.txt");
  const std::string data_sha = sha256_hex("data");

  JobSpec spec = spec_for(root.str());  // follow_symlinks = inside, the default
  ChecksumCurator inside(spec);
  FakeContext ctx;
  ctx.root_path = root.str();
  curate_link(inside, ctx, "sub/link.txt", "target.txt");
  EXPECT_EQ(ctx.status, Status::ok) << ctx.msg;
  EXPECT_EQ(ctx.fields["sha256"], data_sha);
  EXPECT_EQ(ctx.fields["bytes"], "4");
  curate_link(inside, ctx, "sub/away.txt", (outside.path() / "secret.txt").string());
  EXPECT_EQ(ctx.status, Status::skipped);
  EXPECT_EQ(ctx.msg, "symlink leaves the root: not followed (follow_symlinks = all follows it)");
  EXPECT_EQ(ctx.fields.count("sha256"), 0u);
  curate_link(inside, ctx, "sub/folder-link", "../sub");
  EXPECT_EQ(ctx.status, Status::skipped);
  EXPECT_EQ(ctx.msg, "symlink to a folder: not followed");
  curate_link(inside, ctx, "sub/dangling.txt", "gone.txt");
  EXPECT_EQ(ctx.status, Status::failed);
  EXPECT_EQ(ctx.err, "cannot read: the symlink's target gone.txt does not exist");

  spec.set("job", "follow_symlinks", "all");
  ChecksumCurator all(spec);
  curate_link(all, ctx, "sub/away.txt", (outside.path() / "secret.txt").string());
  EXPECT_EQ(ctx.status, Status::ok) << ctx.msg;
  EXPECT_EQ(ctx.fields["sha256"], sha256_hex("outside"));

  spec.set("job", "follow_symlinks", "none");
  ChecksumCurator none(spec);
  curate_link(none, ctx, "sub/link.txt", "target.txt");
  EXPECT_EQ(ctx.status, Status::skipped);
  EXPECT_EQ(ctx.msg, "symlink: not followed (follow_symlinks = none)");
  EXPECT_EQ(ctx.fields.count("sha256"), 0u);
}

// An object laid out as git-annex lays it out, and a link to it, named by `key`.
std::string annex_link(TempDir& root, const std::string& id, const std::string& key, const std::string* content) {
  const std::string object = ".git/annex/objects/Xx/Yy/" + key + "/" + key;
  if (content) root.write(object, *content);
  std::string up;
  for (char c : id)
    if (c == '/') up += "../";
  const std::string target = up + object;
  std::filesystem::create_directories((root.path() / id).parent_path());
  std::filesystem::create_symlink(target, root.path() / id);
  return target;
}

TEST(ChecksumCurator, AnnexLinksAreCheckedAgainstTheirKeyAndAbsentContentIsSkipped) {
  TempDir root;
  const std::string content = "annexed bytes\n";
  const std::string sha = sha256_hex(content);
  const std::string size = std::to_string(content.size());
  const std::string good_key = "SHA256E-s" + size + "--" + sha + ".nii.gz";
  const std::string good = annex_link(root, "sub-01/anat/T1w.nii.gz", good_key, &content);
  const std::string absent_key = "SHA256E-s99--" + std::string(64, 'a') + ".json";
  const std::string absent = annex_link(root, "sub-01/anat/T1w.json", absent_key, nullptr);
  const std::string corrupted = "annexed bytez\n";  // same size, another digest
  const std::string bad_key = "SHA256E-s" + size + "--" + sha256_hex("something else!") + ".tsv";
  const std::string bad = annex_link(root, "sub-01/events.tsv", bad_key, &corrupted);
  const std::string short_key = "SHA256-s3--" + sha;
  const std::string shorter = annex_link(root, "sub-01/short", short_key, &content);

  ChecksumCurator curator(spec_for(root.str()));
  FakeContext ctx;
  ctx.root_path = root.str();
  curate_link(curator, ctx, "sub-01/anat/T1w.nii.gz", good);
  EXPECT_EQ(ctx.status, Status::ok) << ctx.msg;
  EXPECT_EQ(ctx.fields["sha256"], sha);
  curate_link(curator, ctx, "sub-01/anat/T1w.json", absent);
  EXPECT_EQ(ctx.status, Status::skipped);
  EXPECT_EQ(ctx.msg, "content not present (git annex get sub-01/anat/T1w.json)");
  curate_link(curator, ctx, "sub-01/events.tsv", bad);
  EXPECT_EQ(ctx.status, Status::failed);
  EXPECT_EQ(ctx.err, "annex key mismatch: the key " + bad_key + " says sha256 " + sha256_hex("something else!") +
                         ", the content's is " + sha256_hex(corrupted));
  curate_link(curator, ctx, "sub-01/short", shorter);
  EXPECT_EQ(ctx.status, Status::failed);
  EXPECT_EQ(ctx.err, "annex key mismatch: the key " + short_key + " says 3 bytes, the content has " + size);
}

TEST(AnnexKey, ParsesTheBackendSizeAndDigest) {
  const std::string hex(64, 'b');
  auto key = parse_annex_key("SHA256E-s1234--" + hex + ".nii.gz");
  ASSERT_TRUE(key);
  EXPECT_EQ(key->backend, "SHA256E");
  EXPECT_EQ(key->size, 1234u);
  EXPECT_EQ(key->sha256, hex);
  key = parse_annex_key("SHA256-s5-m1700000000--" + hex);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->size, 5u);
  EXPECT_EQ(key->sha256, hex);
  key = parse_annex_key("MD5E-s10--0123456789abcdef0123456789abcdef.txt");
  ASSERT_TRUE(key);
  EXPECT_EQ(key->sha256, "");  // another hash: only the size is checked
  EXPECT_EQ(key->size, 10u);
  key = parse_annex_key("WORM-s0-m1--name");
  ASSERT_TRUE(key);
  EXPECT_EQ(key->size, 0u);
  for (const std::string& not_a_key : {std::string("plain.txt"), std::string("--x"), std::string("sha256-s1--x"),
                                       "SHA256E-s12--" + hex.substr(1) + ".txt", "SHA256-sx--" + hex,
                                       "SHA256--" + hex + ".txt"})
    EXPECT_FALSE(parse_annex_key(not_a_key)) << not_a_key;
  EXPECT_TRUE(annex_key_of_link("../../.git/annex/objects/Ab/Cd/SHA256E-s1--" + hex + "/SHA256E-s1--" + hex));
  EXPECT_FALSE(annex_key_of_link("elsewhere/SHA256E-s1--" + hex));
}

TEST(ChecksumCurator, UnreadableFileFails) {
  TempDir root;
  ChecksumCurator curator(spec_for(root.str()));
  FakeContext ctx;
  ctx.root_path = root.str();
  curate(curator, ctx, "vanished.txt");
  EXPECT_EQ(ctx.status, Status::failed);
  EXPECT_EQ(ctx.err, "cannot read: No such file or directory");
  EXPECT_TRUE(ctx.fields.empty());
}

class CancelledContext : public FakeContext {
 public:
  bool cancelled() const override { return true; }
};

TEST(ChecksumCurator, CancelledRunSkipsTheFile) {
  TempDir root;
  root.write("a.txt", "alpha");
  ChecksumCurator curator(spec_for(root.str()));
  CancelledContext ctx;
  ctx.root_path = root.str();
  curator.curate(file_node("a.txt"), ctx);
  EXPECT_EQ(ctx.status, Status::skipped);
  EXPECT_EQ(ctx.msg, "cancelled");
  EXPECT_TRUE(ctx.fields.empty());
}

}  // namespace
}  // namespace ramify
