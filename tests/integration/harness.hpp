// Integration-test harness: spawn the real launcher (as root or as an unprivileged user),
// talk to it over pipes with deadlines (poll, never sleep), and set up Go workspaces.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <tuple>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "skip.hpp"

namespace gsb::test {


enum class As { Root, User };
std::string as_name(As a);

constexpr const char* kTestUser = "gsbtest";

struct World {
  std::string bin_dir;        // world-readable copy of the launcher and helpers
  std::string launcher;       // bin_dir/bin/gopls-sandbox (profiles in bin_dir/share/gopls-sandbox)
  std::string helper(const std::string& name) const { return bin_dir + "/" + name; }
  uid_t user_uid = 0;
  gid_t user_gid = 0;
  std::string user_home;
  std::string why_unavailable;  // non-empty when the unprivileged user cannot be used
};
// Created once per test binary: copies binaries, creates the test user (as root).
const World& world();

// A temporary directory owned by the runner (root or the test user), removed at destruction.
struct TempDir {
  explicit TempDir(As as, const std::string& tag = "ws");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  std::string path;
};

// A module that needs only the standard library.
void write_go_module(const std::string& dir, As as);
void write_file(const std::string& path, const std::string& data, As as = As::Root, unsigned mode = 0644);
std::string read_file(const std::string& path);

// Private cache and config directories for one run of gopls/go (issue 17 §4): no test depends
// on what ran before it, on the machine or in the same run. spawn() makes a fresh set for every
// process unless SpawnOptions::caches names one (share it between two runs to test cache reuse).
//   HOME             dir/home (so ~/.cache, ~/.config and the telemetry dir are private too)
//   XDG_CACHE_HOME   dir/home/.cache   (gopls cache dir/home/.cache/gopls, goimports, go env cache)
//   XDG_CONFIG_HOME  dir/home/.config  (go telemetry, gopls config, gopls-sandbox config)
//   GOCACHE          dir/home/.cache/go-build
//   GOMODCACHE       dir/gomodcache (empty: tests need only the standard library; GOPROXY=off)
struct GoCaches {
  explicit GoCaches(As as);
  TempDir dir;
  std::string home, xdg_cache, xdg_config, gocache, gomodcache, gopls_cache;
  void apply(std::map<std::string, std::string>& env) const;
};
std::shared_ptr<GoCaches> fresh_go_caches(As as);

// The gopls generations the suite runs against (issue 15), each paired with the go it was built
// for (an old gopls with a newer go first on PATH fails even bare). Discovered, not assumed:
//   Debian   /usr/bin/gopls (x/tools 0.5.0, built with go1.19) and the go of the same minor version
//   Current  the pinned gopls scripts/build.sh installs (build/gopls-v0.23.0/bin/gopls, built with
//            the machine's newer go), paired with that go
// The PATH handed to the launcher decides which go the sandbox binds (GOROOT) and gopls runs.
enum class Gen { Debian, Current };
std::string gen_name(Gen g);
struct GoplsGen {
  Gen gen = Gen::Debian;
  std::string gopls;          // absolute path the test user can execute
  std::string gopls_version;  // `gopls version` first line, e.g. "golang.org/x/tools/gopls v0.23.0"
  std::string built_with;     // go version of the gopls binary, e.g. go1.26.8
  std::string go;             // the matching go (absolute path as found, e.g. /usr/local/go/bin/go)
  std::string go_version;     // its GOVERSION
  std::string goroot;         // its GOROOT
  std::string why_unavailable;  // non-empty: this generation cannot be tested here (and why)
  // PATH with the matching go first; the launcher runs this gopls (GOPLS_SANDBOX_GOPLS).
  std::string path_env() const;
  void apply(std::map<std::string, std::string>& env) const;
  std::string describe() const;  // "gopls v0.23.0 (go1.26.8) + /usr/local/go/bin/go go1.26.8"
};
// Discovered once per test binary. Reusable by any test (generate/learn round trips too):
// iterate over all_gens() for a parameter list, skip (GSB_SKIP_OR_FAIL) on why_unavailable.
const GoplsGen& gopls_gen(Gen g);
inline std::vector<Gen> all_gens() { return {Gen::Debian, Gen::Current}; }
// For TEST_P over (As, Gen): "root_debian", "user_current", ...
using AsGen = std::tuple<As, Gen>;
std::string as_gen_name(const AsGen& p);
// GSB_GOPLS_GENS=debian or =current (comma-separated) runs only those generations' tests; the
// others are skipped as deselected, which is a choice, not a missing feature (no failure under
// GSB_REQUIRE_ALL). .ci/run uses it for the sanitizer run; unset = both.
bool gen_selected(Gen g);
// Skips a test for a deselected generation; skips (or fails under GSB_REQUIRE_ALL) for a missing one.
#define GSB_REQUIRE_GEN(gen)                                                                          \
  do {                                                                                                \
    if (!::gsb::test::gen_selected(gen))                                                              \
      GTEST_SKIP() << ::gsb::test::gen_name(gen) << " gopls deselected by GSB_GOPLS_GENS";             \
    if (!::gsb::test::gopls_gen(gen).why_unavailable.empty())                                         \
      GSB_SKIP_OR_FAIL(::gsb::test::gopls_gen(gen).why_unavailable);                                  \
  } while (0)
// SetUp helper: the same, and the unprivileged user must be available for As::User.
#define GSB_REQUIRE_AS_GEN(as, gen)                                                                   \
  do {                                                                                                \
    if ((as) == ::gsb::test::As::User && !::gsb::test::world().why_unavailable.empty())              \
      GSB_SKIP_OR_FAIL(::gsb::test::world().why_unavailable);                                         \
    GSB_REQUIRE_GEN(gen);                                                                             \
  } while (0)

struct SpawnOptions {
  std::string cwd;
  std::map<std::string, std::string> env;  // added/overridden on top of the base environment
  bool pipe_stdin = true;
  // Cache/config directories for this process: null = a fresh private set (the default);
  // pass one from fresh_go_caches() to share it between runs. env entries still override it.
  std::shared_ptr<GoCaches> caches;
  bool host_caches = false;  // true: neither a fresh set nor `caches` (the runner's real HOME)
};

// A running process with pipes to its stdio.
class Proc {
 public:
  Proc() = default;
  Proc(Proc&&) noexcept;
  Proc& operator=(Proc&&) noexcept;
  ~Proc();
  pid_t pid = -1;
  int in = -1, out = -1, err = -1;
  std::string out_buf, err_buf;
  void close_stdin();
  bool write_all(const std::string& data);
  // Reads whatever is available on stdout/stderr until `pred(out_buf)` or the deadline.
  bool read_until(const std::function<bool(const std::string&)>& pred, std::chrono::milliseconds timeout);
  // Wait for exit (draining output); returns the exit status (128+sig when killed) or -1 on timeout.
  int wait(std::chrono::milliseconds timeout);
  bool exited = false;
  int status = -1;
  std::shared_ptr<GoCaches> caches;  // the cache directories this process was given (kept alive)
};

// argv[0] is the launcher (or any program); run as `as`.
Proc spawn(As as, const std::vector<std::string>& argv, const SpawnOptions& opts = {});

struct Output {
  int status = -1;
  std::string out, err;
  std::shared_ptr<GoCaches> caches;
};
Output run(As as, const std::vector<std::string>& argv, const SpawnOptions& opts = {},
           std::chrono::milliseconds timeout = std::chrono::seconds(120));

// Host pids of `root` and all its descendants (from /proc/*/task/*/children).
std::vector<pid_t> process_tree(pid_t root);
// Waits until every pid has exited (pidfd + poll). Returns those still alive at the deadline.
std::vector<pid_t> wait_gone(const std::vector<pid_t>& pids, std::chrono::milliseconds timeout);

std::string shell_quote(const std::string& s);

}  // namespace gsb::test
