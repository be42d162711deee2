// Issue 12: caches that code inside the sandbox cannot poison. Each test runs as root and as the
// unprivileged test user, with its own HOME, GOCACHE, GOMODCACHE, state directory and a local
// file-based GOPROXY (no network).
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gopls_sandbox/core/cache_domains.hpp"
#include "gopls_sandbox/core/json.hpp"
#include "harness.hpp"

namespace gsb::test {
namespace {

namespace fs = std::filesystem;

// Everything under `dir`, byte for byte: path, type, permission bits, content (or link target).
std::string tree_digest(const std::string& dir) {
  std::vector<std::string> lines;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::none, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const auto& p = it->path();
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) continue;
    std::string rel = p.string().substr(dir.size());
    std::string line = rel + " " + std::to_string(st.st_mode);
    if (S_ISREG(st.st_mode)) {
      std::ifstream in(p, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      line += " " + core::sha256_hex(ss.str());
    } else if (S_ISLNK(st.st_mode)) {
      line += " -> " + fs::read_symlink(p, ec).string();
    }
    lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  return core::sha256_hex(all) + " (" + std::to_string(lines.size()) + " entries)";
}

std::string file_text(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Caches : public ::testing::TestWithParam<As> {
 protected:
  void SetUp() override {
    if (GetParam() == As::User && !world().why_unavailable.empty()) GSB_SKIP_OR_FAIL(world().why_unavailable);
    if (::access("/usr/bin/zip", X_OK) != 0) GSB_SKIP_OR_FAIL("zip is needed to build the test's module proxy");
    t = std::make_unique<TempDir>(as(), "cache");
    for (const char* d : {"home", "gocache", "gomodcache", "state", "xdgcache", "config", "proxy", "ws", "ws2", "hostmod"})
      mk(t->path + "/" + d);
    // example.com/lib v1.0.0 in a file-based proxy.
    std::string stage = t->path + "/stage/example.com/lib@v1.0.0";
    ASSERT_EQ(std::system(("mkdir -p " + shell_quote(stage)).c_str()), 0);
    write_file(stage + "/go.mod", "module example.com/lib\n\ngo 1.21\n");
    write_file(stage + "/lib.go", "package lib\n\nfunc Message() string { return \"genuine\" }\n");
    std::string v = t->path + "/proxy/example.com/lib/@v";
    ASSERT_EQ(std::system(("mkdir -p " + shell_quote(v)).c_str()), 0);
    write_file(v + "/list", "v1.0.0\n");
    write_file(v + "/v1.0.0.info", "{\"Version\":\"v1.0.0\",\"Time\":\"2024-01-01T00:00:00Z\"}\n");
    write_file(v + "/v1.0.0.mod", "module example.com/lib\n\ngo 1.21\n");
    ASSERT_EQ(std::system(("cd " + shell_quote(t->path + "/stage") + " && zip -qrXD " + shell_quote(v + "/v1.0.0.zip") +
                           " example.com/lib@v1.0.0").c_str()),
              0);
    ASSERT_EQ(std::system(("chmod -R a+rX " + shell_quote(t->path) + (as() == As::User ? " && chown -R " +
                               std::to_string(world().user_uid) + " " + shell_quote(t->path) : std::string())).c_str()), 0);
    for (const char* m : {"hostmod", "ws", "ws2"}) write_app(t->path + "/" + m, m);
    // The host builds (and caches) the genuine program: GOMODCACHE and GOCACHE are warm.
    auto b = host_go({"build", "-o", t->path + "/app.genuine", "."}, t->path + "/hostmod");
    ASSERT_EQ(b.status, 0) << b.err;
    ASSERT_EQ(run(as(), {t->path + "/app.genuine"}).out, "genuine\n");
    auto mv = host_go({"mod", "verify"}, t->path + "/hostmod");
    ASSERT_EQ(mv.status, 0) << mv.out << mv.err;
    for (const char* m : {"ws", "ws2"})
      ASSERT_EQ(std::system(("cp " + shell_quote(t->path + "/hostmod/go.sum") + " " + shell_quote(t->path + "/" + m) +
                             (as() == As::User ? " && chown " + std::to_string(world().user_uid) + " " +
                                                     shell_quote(t->path + "/" + m + "/go.sum") : std::string())).c_str()),
                0);
  }
  As as() const { return GetParam(); }
  void mk(const std::string& d) {
    ASSERT_EQ(::mkdir(d.c_str(), 0755), 0) << d;
    if (as() == As::User) {
      ASSERT_EQ(::chown(d.c_str(), world().user_uid, world().user_gid), 0);
    }
  }
  void write_app(const std::string& dir, const std::string& name) {
    write_file(dir + "/go.mod", "module example.com/" + name + "\n\ngo 1.21\n\nrequire example.com/lib v1.0.0\n", as());
    write_file(dir + "/main.go",
               "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/lib\"\n)\n\nfunc main() { fmt.Println(lib.Message()) }\n",
               as());
  }
  std::map<std::string, std::string> env() const {
    const char* path = std::getenv("PATH");
    return {{"HOME", t->path + "/home"},
            {"GOCACHE", t->path + "/gocache"},
            {"GOMODCACHE", t->path + "/gomodcache"},
            {"XDG_STATE_HOME", t->path + "/state"},
            {"XDG_CACHE_HOME", t->path + "/xdgcache"},
            {"XDG_CONFIG_HOME", t->path + "/config"},
            {"GOPROXY", "file://" + t->path + "/proxy"},
            {"GOSUMDB", "off"},
            {"GOFLAGS", "-mod=mod"},
            {"GOTELEMETRY", "off"},
            {"PATH", path ? path : "/usr/local/go/bin:/usr/bin:/bin"}};
  }
  Output host_go(std::vector<std::string> args, const std::string& cwd) {
    args.insert(args.begin(), "go");
    std::vector<std::string> argv = {"/usr/bin/env"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(as(), argv, {cwd, env(), false});
  }
  Output exec(const std::string& ws, std::vector<std::string> options, const std::string& script,
              std::map<std::string, std::string> extra = {}) {
    std::vector<std::string> argv = {world().launcher, "exec", "--workspace", ws, "--log", "off"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.insert(argv.end(), {"--", "/bin/sh", "-c", script});
    auto e = env();
    for (auto& [k, v] : extra) e[k] = v;
    return run(as(), argv, {ws, e, false});
  }
  std::string host_state() const { return tree_digest(t->path + "/gocache") + " / " + tree_digest(t->path + "/gomodcache"); }
  std::string domain_of(const std::string& ws) {
    auto r = exec(ws, {"--dry-run"}, "true");
    auto v = json::parse(r.out);
    if (!v) return {};
    return (*v)["caches"]["domain"].as_string();
  }
  std::unique_ptr<TempDir> t;
};
INSTANTIATE_TEST_SUITE_P(As, Caches, ::testing::Values(As::Root, As::User),
                         [](const auto& info) { return as_name(info.param); });

// The two attacks of issue 12, performed from inside; Go's cache trim runs inside as well.
TEST_P(Caches, PoisoningFromInsideLeavesTheHostCachesUnchanged) {
  const std::string gc = t->path + "/gocache", mc = t->path + "/gomodcache";
  // Make Go's periodic trim due: it must only ever delete in the upper layer.
  write_file(gc + "/trim.txt", "1000000000", as());
  ASSERT_EQ(std::system(("find " + shell_quote(gc) + " -type f -exec touch -d '20 days ago' {} +").c_str()), 0);
  const std::string before = host_state();
  const std::string lib = mc + "/example.com/lib@v1.0.0/lib.go";
  std::string script =
      "set -e\n"
      // a build inside (which trims the old entries) works on the warm lower layer
      "go build -o /tmp/app . && /tmp/app\n"
      "cat " + gc + "/trim.txt; echo\n"
      // 1: rewrite the cached module's source, delete the module index/download entries
      "chmod -R u+w " + mc + "\n"
      "printf 'package lib\\n\\nfunc Message() string { return \"poisoned\" }\\n' > " + lib + "\n"
      "find " + mc + "/cache -type f -delete\n"
      // 2: overwrite every GOCACHE output and plant an entry
      "for f in " + gc + "/*/*-d; do printf evil > \"$f\"; done\n"
      "echo planted > " + gc + "/planted\n"
      "go build -o /tmp/app2 . && /tmp/app2 || true\n"
      "grep -c poisoned " + lib + "\n";
  auto r = exec(t->path + "/ws", {"--inode-check", "strict"}, script);
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_EQ(r.out.rfind("genuine\n", 0), 0u) << r.out;                 // the warm cache was usable
  EXPECT_EQ(r.out.find("1000000000\n"), std::string::npos) << r.out;  // the trim ran inside
  EXPECT_NE(r.out.find("\n1\n"), std::string::npos) << r.out;         // the attack took effect inside
  EXPECT_EQ(r.err.find("copy-on-write caches are not available"), std::string::npos) << r.err;

  EXPECT_EQ(host_state(), before);  // byte for byte
  EXPECT_EQ(file_text(gc + "/trim.txt"), "1000000000");
  auto b = host_go({"build", "-o", t->path + "/app.after", "."}, t->path + "/hostmod");
  ASSERT_EQ(b.status, 0) << b.err;
  EXPECT_EQ(run(as(), {t->path + "/app.after"}).out, "genuine\n");
  EXPECT_EQ(core::sha256_hex(file_text(t->path + "/app.after")), core::sha256_hex(file_text(t->path + "/app.genuine")));
  auto v = host_go({"mod", "verify"}, t->path + "/hostmod");
  EXPECT_EQ(v.status, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("all modules verified"), std::string::npos) << v.out;

  // The control: in shared mode (documented as unsafe) the same attack reaches the host.
  auto s = exec(t->path + "/ws", {"--cache-mode", "shared"}, "echo planted > " + gc + "/planted");
  ASSERT_EQ(s.status, 0) << s.err;
  EXPECT_NE(host_state(), before);
}

TEST_P(Caches, DomainsAreSeparateAndPersistAcrossSessions) {
  const std::string gc = t->path + "/gocache";
  const std::string ws = t->path + "/ws", ws2 = t->path + "/ws2";
  auto w = exec(ws, {}, "echo from-ws > " + gc + "/marker");
  ASSERT_EQ(w.status, 0) << w.err;
  EXPECT_FALSE(fs::exists(gc + "/marker"));  // the host never sees it
  auto same = exec(ws, {}, "cat " + gc + "/marker");
  EXPECT_EQ(same.status, 0) << same.err;
  EXPECT_EQ(same.out, "from-ws\n");  // the next session of the domain does
  auto other = exec(ws2, {}, "cat " + gc + "/marker 2>/dev/null || echo absent; ls " + t->path + "/state 2>&1 | head -1");
  EXPECT_EQ(other.out.rfind("absent\n", 0), 0u) << other.out;  // another workspace's domain does not
  EXPECT_NE(domain_of(ws), domain_of(ws2));
  // On purpose: one named domain for both.
  ASSERT_EQ(exec(ws, {"--cache-domain", "team"}, "echo team > " + gc + "/team").status, 0);
  auto team = exec(ws2, {"--cache-domain", "team"}, "cat " + gc + "/team");
  EXPECT_EQ(team.out, "team\n") << team.err;
  auto env_team = exec(ws2, {}, "cat " + gc + "/team", {{"GOPLS_SANDBOX_CACHE_DOMAIN", "team"}});
  EXPECT_EQ(env_team.out, "team\n") << env_team.err;
  // private: the domain's own cache, without the host's entries.
  auto priv = exec(ws, {"--cache-mode", "private"}, "ls -A " + gc + " | wc -l");
  EXPECT_EQ(priv.status, 0) << priv.err;
  EXPECT_EQ(priv.out, "0\n");
}

// Two sandboxes of one domain at the same time (two editor windows, or gopls and an `exec`): one
// overlay upper/work pair must never serve two mounts (undefined behaviour in the kernel). The
// second gets a session layer of its own, over the same host caches, dropped when it ends; the
// first keeps the domain's layers, and what it wrote is what the next session sees.
TEST_P(Caches, ConcurrentSessionsOfOneDomainNeverShareAnUpperLayer) {
  const std::string gc = t->path + "/gocache";
  const std::string ws = t->path + "/ws";
  ASSERT_EQ(exec(ws, {}, "echo before > " + gc + "/earlier").status, 0);
  std::string dir = t->path + "/state/gopls-sandbox/caches/" + domain_of(ws);
  std::vector<std::string> argv = {world().launcher, "exec", "--workspace", ws, "--log", "off", "--", "/bin/sh", "-c",
                                   "echo first > " + gc + "/first; echo ready; read x"};
  Proc p = spawn(as(), argv, {ws, env(), true});
  ASSERT_TRUE(p.read_until([](const std::string& o) { return o.find("ready\n") != std::string::npos; },
                           std::chrono::seconds(60)))
      << p.err_buf;
  // The second, while the first runs: its own layer (under session.*), not the first's writes.
  auto second = exec(ws, {"-v"},
                     "cat " + gc + "/first 2>/dev/null || echo no-first; echo second > " + gc + "/second; "
                     "ls -d " + dir + "/session.* 2>/dev/null | wc -l");
  EXPECT_EQ(second.status, 0) << second.err;
  EXPECT_EQ(second.out, "no-first\n0\n") << second.err;  // (the state directory is not visible inside)
  EXPECT_NE(second.err.find("another sandbox of cache domain"), std::string::npos) << second.err;
  // Its layer is gone once it ended; the first's is untouched.
  bool session_left = false;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind("session.", 0) == 0) session_left = true;
  EXPECT_FALSE(session_left);
  p.write_all("\n");
  p.close_stdin();
  EXPECT_EQ(p.wait(std::chrono::seconds(60)), 0) << p.err_buf;
  auto next = exec(ws, {}, "cat " + gc + "/earlier " + gc + "/first; cat " + gc + "/second 2>/dev/null || echo no-second");
  EXPECT_EQ(next.out, "before\nfirst\nno-second\n") << next.err;
}

// Go and gopls refresh a cache entry's mtime on a hit when it is older than an hour; under the
// overlay that would copy the whole entry up (the first build of yesterday's project paid 1.5x).
// The supervisor answers utimensat on a cache path with success without running it; anywhere
// else the call runs as made.
TEST_P(Caches, AnMtimeRefreshInACacheCopiesNothingUpElsewhereItRuns) {
  const std::string gc = t->path + "/gocache";
  const std::string ws = t->path + "/ws";
  write_file(gc + "/ab/entry-a", "genuine\n", as());
  ASSERT_EQ(std::system(("touch -h -d '3 hours ago' " + shell_quote(gc + "/ab/entry-a")).c_str()), 0);
  struct stat before {};
  ASSERT_EQ(::stat((gc + "/ab/entry-a").c_str(), &before), 0);
  // touch -h: utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW), what os.Chtimes does.
  // (with the supervisor, so not through the fixture's exec, which says `--log off`)
  auto r = run(as(),
               {world().launcher, "exec", "--workspace", ws, "--log", t->path + "/denials.jsonl", "--", "/bin/sh", "-c",
                "touch -h " + gc + "/ab/entry-a && echo refreshed; cat " + gc + "/ab/entry-a; : > " + ws +
                    "/f && touch -h -d @1000 " + ws + "/f && stat -c %Y " + ws + "/f"},
               {ws, env(), false});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "refreshed\ngenuine\n1000\n");
  std::string dir = t->path + "/state/gopls-sandbox/caches/" + domain_of(ws);
  const std::string upper = dir + "/" + core::cache_key("gocache", gc) + "/upper";
  EXPECT_FALSE(fs::exists(upper + "/ab/entry-a")) << "the entry was copied up";
  struct stat after {};
  ASSERT_EQ(::stat((gc + "/ab/entry-a").c_str(), &after), 0);
  EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);  // the host's entry is untouched
}

TEST_P(Caches, InvalidModeIsAUsageErrorAndDryRunShowsTheLayers) {
  auto bad = exec(t->path + "/ws", {"--cache-mode", "nope"}, "true");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("cow, private or shared"), std::string::npos) << bad.err;
  auto bad_env = exec(t->path + "/ws", {}, "true", {{"GOPLS_SANDBOX_CACHE_MODE", "nope"}});
  EXPECT_EQ(bad_env.status, 2);
  EXPECT_NE(bad_env.err.find("cow, private or shared"), std::string::npos) << bad_env.err;
  auto d = exec(t->path + "/ws", {"--dry-run"}, "true");
  ASSERT_EQ(d.status, 0) << d.err;
  auto v = json::parse(d.out);
  ASSERT_TRUE(v);
  std::string dom = (*v)["caches"]["domain_dir"].as_string();
  EXPECT_EQ(dom.rfind(t->path + "/state/gopls-sandbox/caches/ws-ws-", 0), 0u) << dom;
  int overlays = 0;
  for (const auto& m : (*v)["mounts"].as_array()) {
    if (m["type"].as_string() != "overlay") continue;
    ++overlays;
    EXPECT_EQ(m["upper"].as_string().rfind(dom + "/", 0), 0u);
    EXPECT_EQ(m["work"].as_string().rfind(dom + "/", 0), 0u);
    EXPECT_FALSE(m["lower"].as_string().empty());
  }
  EXPECT_GE(overlays, 3) << d.out;  // GOCACHE, GOMODCACHE, gopls' cache
}

// The kernel refuses the overlay (here: a work "directory" that is a file): said once, private.
TEST_P(Caches, RefusedOverlayFallsBackToPrivateNeverToShared) {
  const std::string gc = t->path + "/gocache";
  const std::string before = host_state();
  auto r = exec(t->path + "/ws", {"--inode-check", "strict"},
                "ls -A " + gc + " | wc -l; echo inside > " + gc + "/marker",
                {{"GOPLS_SANDBOX_TEST_OVERLAY_FAIL", "1"}});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "0\n");  // not the host's entries
  const std::string said = "copy-on-write caches are not available here";
  size_t at = r.err.find(said);
  EXPECT_NE(at, std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(said, at + 1), std::string::npos) << r.err;  // once
  EXPECT_NE(r.err.find("--cache-mode private"), std::string::npos) << r.err;
  EXPECT_EQ(host_state(), before);
  std::string dom = domain_of(t->path + "/ws");
  EXPECT_EQ(file_text(t->path + "/state/gopls-sandbox/caches/" + dom + "/private/" +
                      core::cache_key("gocache", t->path + "/gocache") + "/marker"),
            "inside\n");
}

// --inode-check strict keeps its meaning: a mount covering the overlay is a mismatch.
TEST_P(Caches, InodeCheckStrictFailsWhenSomethingCoversTheOverlay) {
  auto r = exec(t->path + "/ws", {"--inode-check", "strict", "--bind", t->path + "/ws2:" + t->path + "/gocache"}, "true");
  EXPECT_EQ(r.status, 125) << r.err;
  EXPECT_NE(r.err.find("inode check GOCACHE"), std::string::npos) << r.err;
}

TEST_P(Caches, PruneRefusesADomainInUseAndRemovesItAfterwards) {
  const std::string ws = t->path + "/ws";
  ASSERT_EQ(exec(ws, {}, "mkdir -p " + t->path + "/gomodcache/x && chmod 0555 " + t->path + "/gomodcache/x").status, 0);
  std::string dom = domain_of(ws);
  std::string dir = t->path + "/state/gopls-sandbox/caches/" + dom;
  const std::string upper_x = dir + "/" + core::cache_key("gomodcache", t->path + "/gomodcache") + "/upper/x";
  ASSERT_TRUE(fs::exists(upper_x));
  auto cache = [&](std::vector<std::string> a) {
    a.insert(a.begin(), {world().launcher, "cache"});
    return run(as(), a, {t->path, env(), false});
  };
  auto l = cache({"list", "--json"});
  ASSERT_EQ(l.status, 0) << l.err;
  EXPECT_NE(l.out.find("\"domain\": \"" + dom + "\""), std::string::npos) << l.out;
  auto du = cache({"du", "--json", "--domain", dom});
  EXPECT_EQ(du.status, 0) << du.err;
  EXPECT_NE(du.out.find("\"bytes\""), std::string::npos) << du.out;

  // A running sandbox of the domain: prune refuses.
  std::vector<std::string> argv = {world().launcher, "exec", "--workspace", ws, "--log", "off", "--",
                                   "/bin/sh", "-c", "echo ready; read x"};
  Proc p = spawn(as(), argv, {ws, env(), true});
  ASSERT_TRUE(p.read_until([](const std::string& o) { return o.find("ready\n") != std::string::npos; },
                           std::chrono::seconds(60)))
      << p.err_buf;
  auto refused = cache({"prune", "--domain", dom});
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.err.find("in use by a running sandbox"), std::string::npos) << refused.err;
  EXPECT_TRUE(fs::exists(upper_x));
  p.write_all("\n");
  p.close_stdin();
  EXPECT_EQ(p.wait(std::chrono::seconds(60)), 0) << p.err_buf;

  auto young = cache({"prune", "--older-than", "1d"});
  EXPECT_EQ(young.status, 0) << young.err;
  EXPECT_TRUE(fs::exists(dir));  // used just now
  auto ok = cache({"prune", "--domain", dom});
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_NE(ok.out.find("pruned " + dom), std::string::npos) << ok.out;
  EXPECT_FALSE(fs::exists(dir));
  // The next session starts afresh.
  auto again = exec(ws, {}, "test -e " + t->path + "/gomodcache/x && echo stale || echo fresh");
  EXPECT_EQ(again.out, "fresh\n") << again.err;
}

// The overlays are volatile (no sync at unmount). A session killed with SIGKILL loses nothing (the
// page cache of this boot has its writes): the next session mounts (the kernel's "was volatile"
// mark is cleared) and sees them. Layers written in another boot (a crash may have torn them) are
// discarded before the next mount.
TEST_P(Caches, VolatileLayersSurviveAKilledSessionAndAreDroppedAfterAReboot) {
  const std::string gc = t->path + "/gocache", ws = t->path + "/ws";
  const std::string fallback = "copy-on-write caches are not available";
  std::vector<std::string> argv = {world().launcher, "exec", "--workspace", ws, "--log", "off", "--",
                                   "/bin/sh", "-c", "echo written > " + gc + "/marker; echo ready; read x"};
  Proc p = spawn(as(), argv, {ws, env(), true});
  ASSERT_TRUE(p.read_until([](const std::string& o) { return o.find("ready\n") != std::string::npos; },
                           std::chrono::seconds(60)))
      << p.err_buf;
  ASSERT_EQ(::kill(p.pid, SIGKILL), 0);
  EXPECT_EQ(p.wait(std::chrono::seconds(60)), 128 + SIGKILL);
  EXPECT_EQ(p.err_buf.find(fallback), std::string::npos) << p.err_buf;
  const std::string dir = t->path + "/state/gopls-sandbox/caches/" + domain_of(ws);
  const std::string key = dir + "/" + core::cache_key("gocache", gc);
  EXPECT_TRUE(fs::exists(key + "/work/work/incompat/volatile")) << "not mounted volatile";

  auto next = exec(ws, {"--inode-check", "strict"}, "cat " + gc + "/marker");
  EXPECT_EQ(next.status, 0) << next.err;
  EXPECT_EQ(next.out, "written\n");
  EXPECT_EQ(next.err.find(fallback), std::string::npos) << next.err;  // the overlay, not private
  const std::string boot = file_text("/proc/sys/kernel/random/boot_id");
  EXPECT_EQ(file_text(dir + "/boot_id"), boot);

  // As if the last session had run before a reboot (a crash may have torn its volatile writes).
  write_file(dir + "/boot_id", "00000000-0000-4000-8000-000000000000\n", as());
  auto after = exec(ws, {"--inode-check", "strict"}, "cat " + gc + "/marker 2>/dev/null || echo dropped");
  EXPECT_EQ(after.status, 0) << after.err;
  EXPECT_EQ(after.out, "dropped\n");
  EXPECT_EQ(after.err.find(fallback), std::string::npos) << after.err;
  EXPECT_FALSE(fs::exists(key + "/upper/marker"));
  EXPECT_EQ(file_text(dir + "/boot_id"), boot);
  for (const auto& e : fs::directory_iterator(dir)) EXPECT_NE(e.path().filename().string().rfind("discard.", 0), 0u);
  // The host lower layer was never touched.
  EXPECT_FALSE(fs::exists(gc + "/marker"));
}

}  // namespace
}  // namespace gsb::test
