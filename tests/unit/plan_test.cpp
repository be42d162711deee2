#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "gopls_sandbox/core/cache_domains.hpp"
#include "gopls_sandbox/core/goenv.hpp"
#include "gopls_sandbox/core/plan.hpp"

using namespace gsb;
using namespace gsb::core;

namespace {

// A fake host: merged-/usr Debian with a home directory and Go caches.
HostProbe fake_host(std::map<std::string, PathFacts> extra = {}) {
  return [extra](const std::string& p) -> PathFacts {
    if (auto it = extra.find(p); it != extra.end()) return it->second;
    static const std::map<std::string, std::string> links = {
        {"/bin", "usr/bin"}, {"/sbin", "usr/sbin"}, {"/lib", "usr/lib"}, {"/lib64", "usr/lib64"},
        {"/etc/localtime", "/usr/share/zoneinfo/Etc/UTC"}};
    if (auto it = links.find(p); it != links.end()) return {PathFacts::Symlink, it->second, PathFacts::Dir};
    for (const char* f : {"/etc/passwd", "/etc/group", "/etc/hosts", "/etc/nsswitch.conf", "/etc/ld.so.cache",
                          "/etc/resolv.conf", "/home/u/.config/go/env"})
      if (p == f) return {PathFacts::File, {}, PathFacts::File};
    for (const char* d : {"/usr", "/etc/ssl", "/home/u", "/home/u/src/proj", "/home/u/go/pkg/mod",
                          "/home/u/.cache/go-build", "/home/u/.cache/gopls", "/usr/lib/go", "/opt/data"})
      if (p == d) return {PathFacts::Dir, {}, PathFacts::Dir};
    return {};
  };
}

PlanInputs inputs() {
  PlanInputs in;
  in.argv = {"/usr/bin/gopls", "serve"};
  in.env = {"HOME=/home/u", "PATH=/usr/bin", "GOPLS_SANDBOX_PROFILE=x", "TMPDIR=/run/user/1000", "EDITOR=vi"};
  in.cwd = "/home/u/src/proj";
  in.home = "/home/u";
  in.uid = 1000;
  in.gid = 1000;
  in.go = GoEnv{"/usr/lib/go", "/home/u/go", "/home/u/go/pkg/mod", "/home/u/.cache/go-build",
                "/home/u/.config/go/env", "go1.19"};
  in.workspaces = {"/home/u/src/proj"};
  in.workspaces_real = {"/home/u/src/proj"};
  in.gopls_cache = "/home/u/.cache/gopls";
  in.goimports_cache = "/home/u/.cache/goimports";
  in.telemetry_dir = "/home/u/.config/go/telemetry";
  in.gopls_config = "/home/u/.config/gopls";
  return in;
}

const MountOp* find(const Plan& p, const std::string& dst, MountKind k) {
  for (const auto& m : p.mounts)
    if (m.dst == dst && m.kind == k) return &m;
  return nullptr;
}

size_t index_of(const Plan& p, const std::string& dst) {
  for (size_t i = 0; i < p.mounts.size(); ++i)
    if (p.mounts[i].dst == dst) return i;
  return SIZE_MAX;
}

}  // namespace

TEST(Paths, Normalize) {
  EXPECT_EQ(normalize_path("/a//b/./c/../d/"), "/a/b/d");
  EXPECT_EQ(normalize_path("/../.."), "/");
  EXPECT_EQ(normalize_path("relative"), "");
  EXPECT_TRUE(path_is_under("/a/b", "/a"));
  EXPECT_TRUE(path_is_under("/a", "/a"));
  EXPECT_FALSE(path_is_under("/ab", "/a"));
  EXPECT_TRUE(path_is_under("/x", "/"));
  EXPECT_EQ(path_prefixes("/a/b"), (std::vector<std::string>{"/a", "/a/b"}));
}

TEST(Plan, SystemDirectoriesFollowTheHostShape) {
  auto p = build_plan(inputs(), fake_host());
  ASSERT_TRUE(p.ok()) << p.error().message;
  const MountOp* bin = find(*p, "/bin", MountKind::Symlink);
  ASSERT_TRUE(bin);
  EXPECT_EQ(bin->src, "usr/bin");
  EXPECT_TRUE(find(*p, "/usr", MountKind::RoBind));
  EXPECT_FALSE(find(*p, "/lib32", MountKind::RoBind));  // absent on the host: nothing
  EXPECT_FALSE(find(*p, "/lib32", MountKind::Symlink));
  // A host with a real /lib64 directory gets a bind instead of a link.
  auto q = build_plan(inputs(), fake_host({{"/lib64", {PathFacts::Dir, {}, PathFacts::Dir}}}));
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(find(*q, "/lib64", MountKind::RoBind));
}

TEST(Plan, MinimalEtcHasNoShadowAndNoResolvConfWithoutNetwork) {
  auto p = build_plan(inputs(), fake_host());
  ASSERT_TRUE(p.ok());
  // The small /etc files are copied into the /etc tmpfs (cheaper than binds), never shadow.
  const MountOp* passwd = find(*p, "/etc/passwd", MountKind::Copy);
  ASSERT_TRUE(passwd);
  EXPECT_EQ(passwd->src, "/etc/passwd");
  EXPECT_TRUE(passwd->optional);
  EXPECT_TRUE(find(*p, "/etc/localtime", MountKind::Symlink));
  for (MountKind k : {MountKind::RoBind, MountKind::Copy}) {
    EXPECT_FALSE(find(*p, "/etc/shadow", k));
    EXPECT_FALSE(find(*p, "/etc/resolv.conf", k));
  }
  auto in = inputs();
  in.share_net = true;
  auto q = build_plan(in, fake_host());
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(find(*q, "/etc/resolv.conf", MountKind::Copy));
  // /etc and /dev are directories of the root tmpfs, made before their contents; the root is
  // sealed read-only last, after every file is in place.
  EXPECT_TRUE(find(*p, "/etc", MountKind::Dir));
  EXPECT_TRUE(find(*p, "/dev", MountKind::Dir));
  EXPECT_FALSE(find(*p, "/etc", MountKind::Tmpfs));
  EXPECT_LT(index_of(*p, "/etc"), index_of(*p, "/etc/passwd"));
  EXPECT_LT(index_of(*p, "/etc/passwd"), p->mounts.size());
  ASSERT_FALSE(p->mounts.empty());
  EXPECT_EQ(p->mounts.back().kind, MountKind::RemountRo);
  EXPECT_EQ(p->mounts.back().dst, "/");
}

TEST(Plan, GoDirectoriesArePathPreservingWithTheRightMode) {
  auto p = build_plan(inputs(), fake_host());
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(find(*p, "/usr/lib/go", MountKind::RoBind));
  EXPECT_TRUE(find(*p, "/home/u/go/pkg/mod", MountKind::Bind));
  EXPECT_TRUE(find(*p, "/home/u/.cache/go-build", MountKind::Bind));
  EXPECT_TRUE(find(*p, "/home/u/.cache/gopls", MountKind::Bind));
  const MountOp* env = find(*p, "/home/u/.config/go/env", MountKind::RoBind);
  ASSERT_TRUE(env);
  EXPECT_TRUE(env->is_file);
  EXPECT_TRUE(find(*p, "/home/u/src/proj", MountKind::Bind));
  // Missing optional config directories are skipped with a note, not fatal.
  EXPECT_FALSE(find(*p, "/home/u/.config/gopls", MountKind::Bind));
  bool noted = false;
  for (const auto& n : p->notes) noted |= n.find("/home/u/.config/gopls") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(Plan, ParentsAreMountedBeforeChildren) {
  auto in = inputs();
  in.binds.push_back({"/opt/data", "/home/u/src/proj/data", false, "--bind"});
  auto p = build_plan(in, fake_host());
  ASSERT_TRUE(p.ok());
  EXPECT_LT(index_of(*p, "/home/u"), index_of(*p, "/home/u/src/proj"));  // HOME tmpfs first
  EXPECT_LT(index_of(*p, "/home/u/src/proj"), index_of(*p, "/home/u/src/proj/data"));
  EXPECT_LT(index_of(*p, "/tmp"), p->mounts.size());
  EXPECT_EQ(p->mounts.back().kind, MountKind::RemountRo);
  EXPECT_EQ(p->mounts.back().dst, "/");
}

TEST(Plan, EnvironmentDropsLauncherVariablesAndPointsTmpdirInside) {
  auto p = build_plan(inputs(), fake_host());
  ASSERT_TRUE(p.ok());
  auto has = [&](const std::string& kv) { return std::find(p->env.begin(), p->env.end(), kv) != p->env.end(); };
  EXPECT_FALSE(has("EDITOR=vi"));  // not on the allowlist (core/sandbox_env.hpp)
  EXPECT_TRUE(has("PATH=/usr/bin"));
  EXPECT_TRUE(has("TMPDIR=/tmp"));
  EXPECT_FALSE(has("TMPDIR=/run/user/1000"));
  EXPECT_FALSE(has("GOPLS_SANDBOX_PROFILE=x"));
  EXPECT_EQ(p->cwd, "/home/u/src/proj");
  EXPECT_EQ(p->argv, (std::vector<std::string>{"/usr/bin/gopls", "serve"}));
}

TEST(Plan, ProgramOutsideTheBindsIsBoundAtItsPath) {
  auto in = inputs();
  in.argv = {"/home/u/go/bin/gopls"};
  auto p = build_plan(in, fake_host({{"/home/u/go/bin/gopls", {PathFacts::File, {}, PathFacts::File}}}));
  ASSERT_TRUE(p.ok());
  const MountOp* m = find(*p, "/home/u/go/bin/gopls", MountKind::RoBind);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->is_file);
}

TEST(Plan, RootAsDefaultWorkspaceIsNotBound) {
  auto in = inputs();
  in.cwd = "/";
  in.workspaces = {"/"};
  in.workspaces_real = {"/"};
  auto p = build_plan(in, fake_host());
  ASSERT_TRUE(p.ok());
  for (const auto& m : p->mounts) EXPECT_FALSE(m.kind == MountKind::Bind && m.dst == "/");
  EXPECT_EQ(p->cwd, "/home/u");
}

TEST(Plan, BindToRootIsAUsageError) {
  auto in = inputs();
  in.binds.push_back({"/opt/data", "/", false, "--bind"});
  auto p = build_plan(in, fake_host());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().kind, ErrorKind::Usage);
}

TEST(Plan, JsonListsEveryMount) {
  auto p = build_plan(inputs(), fake_host());
  ASSERT_TRUE(p.ok());
  auto j = plan_to_json(*p);
  ASSERT_EQ(j["mounts"].as_array().size(), p->mounts.size());
  for (const auto& m : j["mounts"].as_array()) {
    EXPECT_TRUE(m["destination"].is_string());
    EXPECT_TRUE(m.find("source"));
    EXPECT_TRUE(m["flags"].is_array());
  }
  EXPECT_EQ(j["namespaces"].as_array().size(), 6u);
}

TEST(GoEnv, ParsesGoEnvJson) {
  auto g = parse_go_env_json(R"({"GOROOT":"/usr/lib/go","GOPATH":"/h/go","GOMODCACHE":"/h/go/pkg/mod",
    "GOCACHE":"off","GOENV":"/h/.config/go/env","GOVERSION":"go1.19.8"})");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->goroot, "/usr/lib/go");
  EXPECT_EQ(g->gocache, "");  // GOCACHE=off: nothing to mount
  EXPECT_FALSE(parse_go_env_json("{}").ok());
  EXPECT_FALSE(parse_go_env_json("not json").ok());
}

TEST(GoEnv, UserDirsFollowGoRules) {
  auto d = user_dirs({{"HOME", "/h"}});
  EXPECT_EQ(d.gopls_cache, "/h/.cache/gopls");
  EXPECT_EQ(d.goimports_cache, "/h/.cache/goimports");
  EXPECT_EQ(d.telemetry_dir, "/h/.config/go/telemetry");
  EXPECT_EQ(d.gopls_config, "/h/.config/gopls");
  auto x = user_dirs({{"HOME", "/h"}, {"XDG_CACHE_HOME", "/c"}, {"XDG_CONFIG_HOME", "/k"}, {"GOPLSCACHE", "/g"}});
  EXPECT_EQ(x.gopls_cache, "/g");
  EXPECT_EQ(x.goimports_cache, "/c/goimports");
  EXPECT_EQ(x.gopls_config, "/k/gopls");
  auto rel = user_dirs({{"HOME", "/h"}, {"XDG_CACHE_HOME", "relative"}});
  EXPECT_EQ(rel.goimports_cache, "/h/.cache/goimports");  // Go ignores relative XDG paths
}

TEST(Plan, DefaultWorkspaceNeverExposesHomeOrTmp) {
  for (std::string cwd : {"/home/u", "/home", "/tmp"}) {
    auto in = inputs();
    in.cwd = cwd;
    in.workspaces = {cwd};
    in.workspaces_real = {cwd};
    in.workspaces_explicit = false;
    auto p = build_plan(in, fake_host({{"/home", {PathFacts::Dir, {}, PathFacts::Dir}},
                                       {"/tmp", {PathFacts::Dir, {}, PathFacts::Dir}}}));
    ASSERT_TRUE(p.ok());
    for (const auto& m : p->mounts) EXPECT_FALSE(m.kind == MountKind::Bind && m.dst == cwd) << cwd;
    bool warned = false;
    for (const auto& n : p->notes) warned |= n.rfind("warning: not binding " + cwd, 0) == 0;
    EXPECT_TRUE(warned) << cwd;
    // Asked for explicitly, it is bound.
    in.workspaces_explicit = true;
    auto q = build_plan(in, fake_host({{"/home", {PathFacts::Dir, {}, PathFacts::Dir}},
                                       {"/tmp", {PathFacts::Dir, {}, PathFacts::Dir}}}));
    ASSERT_TRUE(q.ok());
    EXPECT_TRUE(find(*q, cwd, MountKind::Bind)) << cwd;
  }
}

TEST(Plan, ProfileSetEnvReplacesTheCallersValueAndTheLastEntryWins) {
  auto in = inputs();
  in.env = {"CGO_ENABLED=1", "LC_ALL=C", "B=caller"};
  in.set_env = {"CGO_ENABLED=0", "B=one", "B=two", "NEW=x=y"};
  auto p = build_plan(in, fake_host());
  ASSERT_TRUE(p.ok());
  auto count = [&](const std::string& prefix) {
    return std::count_if(p->env.begin(), p->env.end(), [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
  };
  auto has = [&](const std::string& kv) { return std::find(p->env.begin(), p->env.end(), kv) != p->env.end(); };
  EXPECT_TRUE(has("CGO_ENABLED=0"));
  EXPECT_EQ(count("CGO_ENABLED="), 1);
  EXPECT_TRUE(has("LC_ALL=C"));
  EXPECT_TRUE(has("B=two"));
  EXPECT_EQ(count("B="), 1);
  EXPECT_TRUE(has("NEW=x=y"));
  EXPECT_TRUE(has("TMPDIR=/tmp"));
}

// ---- issue 11: a hostile workspace -----------------------------------------------------------

TEST(Plan, DefaultWorkspaceRefusesHomeThroughASymlinkAndSessionDirectories) {
  // Silverblue: /home -> /var/home; HOME=/home/u, the editor started in ~ (getcwd: /var/home/u).
  EXPECT_NE(default_workspace_refusal("/var/home/u", "/home/u", "/var/home/u", ""), "");
  EXPECT_NE(default_workspace_refusal("/var/home", "/home/u", "/var/home/u", ""), "");
  EXPECT_NE(default_workspace_refusal("/var", "/home/u", "/var/home/u", ""), "");
  for (const char* d : {"/tmp", "/var/tmp", "/dev/shm", "/run", "/run/user/1000", "/run/user/1000/x"})
    EXPECT_NE(default_workspace_refusal(d, "/home/u", "/home/u", "/run/user/1000"), "") << d;
  EXPECT_NE(default_workspace_refusal("/srv/rt/sub", "/home/u", "/home/u", "/srv/rt"), "");
  for (const char* d : {"/var/home/u/src/proj", "/home/u/src/proj", "/tmp/proj", "/var/tmp/proj", "/srv/x"})
    EXPECT_EQ(default_workspace_refusal(d, "/home/u", "/var/home/u", "/run/user/1000"), "") << d;

  auto in = inputs();
  in.home = "/home/u";
  in.home_real = "/var/home/u";
  in.cwd = "/var/home/u";
  in.workspaces = {"/var/home/u"};
  in.workspaces_real = {"/var/home/u"};
  auto p = build_plan(in, fake_host({{"/var/home/u", {PathFacts::Dir, {}, PathFacts::Dir}}}));
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(find(*p, "/var/home/u", MountKind::Bind));
  // Explicit: honoured.
  in.workspaces_explicit = true;
  auto q = build_plan(in, fake_host({{"/var/home/u", {PathFacts::Dir, {}, PathFacts::Dir}}}));
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(find(*q, "/var/home/u", MountKind::Bind));
}

TEST(Plan, AddedFolderRefusesHiddenDirectoriesOfTheHomeAndTheLauncherState) {
  auto in = inputs();
  in.home = "/home/u";
  in.home_real = "/var/home/u";
  in.env = {"XDG_CONFIG_HOME=/srv/cfg", "XDG_STATE_HOME=/srv/state/", "PATH=/home/u/bin::/usr/bin:/opt/t/bin",
            "GOBIN=/srv/gobin"};
  in.go = GoEnv{};
  in.go->gopath = "/home/u/go:/srv/gp";
  for (const char* d : {"/home/u/.ssh", "/home/u/.config/systemd/user", "/var/home/u/.local/bin", "/home/u/.x",
                        "/srv/cfg", "/srv/cfg/gopls-sandbox", "/srv/state/gopls-sandbox/caches", "/home/u/bin",
                        "/opt/t", "/srv/gobin/x", "/home/u/go/bin", "/srv/gp", "/var/home/u/bin/x"})
    EXPECT_NE(added_folder_refusal(in, d), "") << d;
  for (const char* d : {"/home/u/src/.proj", "/home/u/src/proj", "/srv/x", "/srv/cfgx", "/tmp/.x",
                        "/home/u/go/src/x", "/home/u/binx"})
    EXPECT_EQ(added_folder_refusal(in, d), "") << d;
}

TEST(Plan, WhatTheHostRunsFromTheWorkspaceIsReadOnlyAtEveryPathItIsBoundAt) {
  auto in = inputs();
  in.workspaces = {"/home/u/link"};
  in.workspaces_real = {"/home/u/src/proj"};
  in.read_text = [](const std::string& p) -> std::string {
    if (p == "/home/u/src/proj/.gitmodules") return "[submodule \"x\"]\n\tpath = third_party/x\n\turl = ../x\n"
                                                    "[submodule \"y\"]\n\tpath = y\n";
    return {};
  };
  const std::string w = "/home/u/src/proj";
  std::map<std::string, PathFacts> extra = {
      {"/home/u/link", {PathFacts::Symlink, "src/proj", PathFacts::Dir}},
      {w + "/.git", {PathFacts::Dir, {}, PathFacts::Dir}},
      {w + "/.vscode", {PathFacts::Dir, {}, PathFacts::Dir}},
      {w + "/.envrc", {PathFacts::File, {}, PathFacts::File}},
      {w + "/.gitmodules", {PathFacts::File, {}, PathFacts::File}},
      {w + "/third_party", {PathFacts::Dir, {}, PathFacts::Dir}},
      {w + "/third_party/x", {PathFacts::Dir, {}, PathFacts::Dir}},
      {w + "/third_party/x/.git", {PathFacts::File, {}, PathFacts::File}},
      {w + "/y", {PathFacts::Dir, {}, PathFacts::Dir}}};  // uninitialised submodule: no .git
  auto p = build_plan(in, fake_host(extra));
  ASSERT_TRUE(p.ok()) << p.error().message;
  for (const char* ws : {"/home/u/link", "/home/u/src/proj"}) {
    std::string b = ws;
    ASSERT_TRUE(find(*p, b, MountKind::Bind)) << b;
    for (const char* n : {"/.git", "/.vscode", "/.envrc", "/third_party/x/.git", "/y"}) {
      const MountOp* m = find(*p, b + n, MountKind::RoBind);
      ASSERT_TRUE(m) << b + n;
      EXPECT_EQ(m->src, w + n) << "always from the real path";
      EXPECT_GT(index_of(*p, b + n), index_of(*p, b)) << "after the workspace bind: " << b + n;
    }
    for (const char* n : {"/third_party", "/third_party/x"}) {  // pinned: cannot be renamed away
      ASSERT_TRUE(find(*p, b + n, MountKind::Bind)) << b + n;
      EXPECT_LT(index_of(*p, b + n), index_of(*p, b + "/third_party/x/.git"));
    }
    EXPECT_TRUE(find(*p, b + "/.envrc", MountKind::RoBind)->is_file);
    EXPECT_FALSE(find(*p, b + "/.hg", MountKind::RoBind));  // absent on the host: nothing
  }
  // --writable-vcs: none of them.
  in.writable_vcs = true;
  auto q = build_plan(in, fake_host(extra));
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(find(*q, w + "/.git", MountKind::RoBind));
}

TEST(Plan, AProtectedNameThatIsASymlinkIsAnErrorUnlessWritableVcs) {
  for (const char* n : {"/.git", "/.vscode", "/sub"}) {
    auto in = inputs();
    in.read_text = [](const std::string& p) -> std::string {
      return p == "/home/u/src/proj/.gitmodules" ? "[submodule \"s\"]\n\tpath = sub\n" : "";
    };
    std::map<std::string, PathFacts> extra = {
        {"/home/u/src/proj/.gitmodules", {PathFacts::File, {}, PathFacts::File}},
        {"/home/u/src/proj/sub", {PathFacts::Dir, {}, PathFacts::Dir}}};
    extra[std::string("/home/u/src/proj") + n] = {PathFacts::Symlink, "elsewhere", PathFacts::Dir};
    auto p = build_plan(in, fake_host(extra));
    ASSERT_FALSE(p.ok()) << n;
    EXPECT_NE(p.error().message.find("symbolic link"), std::string::npos) << p.error().message;
    EXPECT_NE(p.error().hint.find("--writable-vcs"), std::string::npos);
    in.writable_vcs = true;
    EXPECT_TRUE(build_plan(in, fake_host(extra)).ok()) << n;
  }
}

TEST(Plan, AGitFileProtectsTheGitdirItNamesWhenThatIsVisible) {
  auto in = inputs();
  in.read_text = [](const std::string& p) -> std::string {
    if (p == "/home/u/src/proj/.git") return "gitdir: sub/.gitdir \n";
    return {};
  };
  auto p = build_plan(in, fake_host({{"/home/u/src/proj/.git", {PathFacts::File, {}, PathFacts::File}},
                                     {"/home/u/src/proj/sub", {PathFacts::Dir, {}, PathFacts::Dir}},
                                     {"/home/u/src/proj/sub/.gitdir", {PathFacts::Dir, {}, PathFacts::Dir}}}));
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(find(*p, "/home/u/src/proj/.git", MountKind::RoBind));
  EXPECT_TRUE(find(*p, "/home/u/src/proj/sub/.gitdir", MountKind::RoBind));
}

TEST(Plan, CachesThatResolveThroughTheWorkspaceOrHoldHomeAreNotBound) {
  auto in = inputs();
  // GOPATH inside the project; a previous session made .gopath/pkg/mod a link to $HOME.
  in.go->gomodcache = "/home/u/src/proj/.gopath/pkg/mod";
  in.go->gocache = "/srv/cache";
  auto p = build_plan(in, fake_host({{"/home/u/src/proj/.gopath/pkg/mod", {PathFacts::Dir, {}, PathFacts::Dir, "/home/u"}},
                                     {"/srv/cache", {PathFacts::Dir, {}, PathFacts::Dir, "/"}}}));
  ASSERT_TRUE(p.ok());
  for (const auto& m : p->mounts) {
    EXPECT_NE(m.src, "/home/u") << m.dst;
    EXPECT_NE(m.src, "/") << m.dst;
  }
  bool warned = false;
  for (const auto& n : p->notes) warned = warned || n.find("not binding GOMODCACHE") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(Plan, WithHomeUnsetTheDefaultWorkspaceIsComparedWithThePasswordDatabase) {
  auto in = inputs();
  in.home = "";
  in.passwd_home = "/home/u";
  in.cwd = "/home/u";
  in.workspaces = {"/home/u"};
  in.workspaces_real = {"/home/u"};
  auto p = build_plan(in, fake_host());
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(find(*p, "/home/u", MountKind::Bind));
  in.passwd_home = "";
  auto q = build_plan(in, fake_host());
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(find(*q, "/home/u", MountKind::Bind)) << "no home known: refuse";
}

TEST(Plan, ExecShareTtyKeepsTheSession) {
  auto in = inputs();
  auto p = build_plan(in, fake_host());
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->keep_tty);
  EXPECT_TRUE(plan_to_json(*p)["new_session"].as_bool());
  in.keep_tty = true;
  auto q = build_plan(in, fake_host());
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->keep_tty);
}

TEST(Plan, ProtectedNamesThatResolveOutsideTheWorkspaceAreNeverBound) {
  // A previous session wrote .gitmodules and made `sub` a symlink to a host directory with a .git.
  auto in = inputs();
  in.read_text = [](const std::string& p) -> std::string {
    if (p == "/home/u/src/proj/.gitmodules") return "[submodule \"s\"]\n\tpath = sub\n";
    if (p == "/home/u/src/proj/.git") return "gitdir: link/.git\n";
    return {};
  };
  PathFacts outside{PathFacts::Dir, {}, PathFacts::Dir, "/home/u/.password-store/.git"};
  auto p = build_plan(in, fake_host({{"/home/u/src/proj/.gitmodules", {PathFacts::File, {}, PathFacts::File}},
                                     {"/home/u/src/proj/.git", {PathFacts::File, {}, PathFacts::File}},
                                     {"/home/u/src/proj/sub/.git", outside},
                                     {"/home/u/src/proj/link/.git", outside}}));
  ASSERT_TRUE(p.ok());
  for (const auto& m : p->mounts) EXPECT_EQ(m.src.find(".password-store"), std::string::npos) << m.src << " -> " << m.dst;
  EXPECT_TRUE(find(*p, "/home/u/src/proj/.git", MountKind::RoBind));
}
// ---- issue 12: the caches ------------------------------------------------------------------

namespace {

TEST(PlanCaches, CowLayersEachCacheOverTheHostsAndBindsNoneReadWrite) {
  PlanInputs in = inputs();
  in.cache_mode = CacheMode::Cow;
  in.cache_domain_dir = "/home/u/.local/state/gopls-sandbox/caches/ws-proj-0123456789abcdef";
  auto p = build_plan(in, fake_host());
  ASSERT_TRUE(p) << p.error().message;
  for (auto [dst, key] : {std::pair{"/home/u/.cache/go-build", "gocache"}, std::pair{"/home/u/go/pkg/mod", "gomodcache"},
                          std::pair{"/home/u/.cache/gopls", "gopls"}}) {
    const MountOp* o = find(*p, dst, MountKind::Overlay);
    ASSERT_TRUE(o) << dst;
    EXPECT_EQ(o->src, dst);
    std::string k = cache_key(key, dst);
    EXPECT_EQ(k.rfind(std::string(key) + "-", 0), 0u) << k;
    EXPECT_EQ(o->upper, in.cache_domain_dir + "/" + k + "/upper");
    EXPECT_EQ(o->work, in.cache_domain_dir + "/" + k + "/work");
    EXPECT_EQ(o->fallback, in.cache_domain_dir + "/private/" + k);
    EXPECT_FALSE(find(*p, dst, MountKind::Bind)) << dst;
    EXPECT_GT(index_of(*p, dst), index_of(*p, "/home/u"));  // over HOME's tmpfs
  }
  // goimports' cache does not exist on this host: nothing to layer over, its private cache.
  const MountOp* gi = find(*p, "/home/u/.cache/goimports", MountKind::Overlay);
  ASSERT_TRUE(gi);
  EXPECT_TRUE(gi->src.empty());
  auto j = plan_to_json(*p).dump();
  EXPECT_NE(j.find("\"upper\":\"" + in.cache_domain_dir + "/" + cache_key("gocache", "/home/u/.cache/go-build") + "/upper\""),
            std::string::npos) << j;
  // Another GOCACHE: other layers.
  in.go->gocache = "/opt/data";
  auto q = build_plan(in, fake_host());
  ASSERT_TRUE(q);
  EXPECT_NE(find(*q, "/opt/data", MountKind::Overlay)->upper, find(*p, "/home/u/.cache/go-build", MountKind::Overlay)->upper);
}

TEST(PlanCaches, PrivateHasNoLowerSharedIsTodaysBindAndCowNeedsADomain) {
  PlanInputs in = inputs();
  in.cache_mode = CacheMode::Private;
  in.cache_domain_dir = "/s/d";
  auto p = build_plan(in, fake_host());
  ASSERT_TRUE(p);
  const MountOp* o = find(*p, "/home/u/go/pkg/mod", MountKind::Overlay);
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->src.empty());
  EXPECT_EQ(o->fallback, "/s/d/private/" + cache_key("gomodcache", "/home/u/go/pkg/mod"));

  in.cache_mode = CacheMode::Shared;
  auto s = build_plan(in, fake_host());
  ASSERT_TRUE(s);
  EXPECT_TRUE(find(*s, "/home/u/go/pkg/mod", MountKind::Bind));
  EXPECT_FALSE(find(*s, "/home/u/go/pkg/mod", MountKind::Overlay));

  in.cache_mode = CacheMode::Cow;
  in.cache_domain_dir.clear();
  EXPECT_FALSE(build_plan(in, fake_host()));  // never quietly the host's caches
}

}  // namespace

TEST(Plan, TheTelemetryModeFileIsReadOnly) {
  auto in = inputs();
  auto p = build_plan(in, fake_host({{"/home/u/.config/go/telemetry", {PathFacts::Dir, {}, PathFacts::Dir}},
                                     {"/home/u/.config/go/telemetry/mode", {PathFacts::File, {}, PathFacts::File}}}));
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(find(*p, "/home/u/.config/go/telemetry", MountKind::Bind));
  const MountOp* m = find(*p, "/home/u/.config/go/telemetry/mode", MountKind::RoBind);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->is_file);
  EXPECT_GT(index_of(*p, "/home/u/.config/go/telemetry/mode"), index_of(*p, "/home/u/.config/go/telemetry"));
}

// A folder the editor opened inside a view the sandbox shows read-only or as its own copy (the
// module cache's copy-on-write view, GOROOT, /usr) is not bound read-write from the host over it:
// code inside would write the host's module cache or toolchain through it. An explicit
// --workspace is honoured; system directories are refused as default workspaces.
TEST(Plan, AFolderInsideAReadOnlyOrCopiedViewIsNotBoundReadWrite) {
  const std::string dep = "/home/u/go/pkg/mod/example.com/dep@v1.0.0";
  auto host = fake_host({{dep, {PathFacts::Dir, {}, PathFacts::Dir}},
                         {"/usr/lib/go/src/net", {PathFacts::Dir, {}, PathFacts::Dir}},
                         {"/home/u/src/link", {PathFacts::Symlink, dep, PathFacts::Dir, dep}},
                         {"/etc/xdg", {PathFacts::Dir, {}, PathFacts::Dir}}});
  for (CacheMode mode : {CacheMode::Cow, CacheMode::Private}) {
    PlanInputs in = inputs();
    in.cache_mode = mode;
    in.cache_domain_dir = "/home/u/.local/state/gopls-sandbox/caches/ws-proj-0123456789abcdef";
    in.workspaces = {"/home/u/src/proj", dep, "/usr/lib/go/src/net", "/home/u/src/link", "/etc/xdg"};
    in.workspaces_real = {"/home/u/src/proj", dep, "/usr/lib/go/src/net", dep, "/etc/xdg"};
    // What discovery found: a module root above a folder, inside the module cache.
    in.binds.push_back({dep, dep, false, "module root"});
    auto p = build_plan(in, host);
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_TRUE(find(*p, "/home/u/src/proj", MountKind::Bind));
    for (const auto& m : p->mounts) {
      if (m.kind != MountKind::Bind) continue;
      for (const char* under : {"/home/u/go/pkg/mod", "/usr", "/etc", "/home/u/src/link"}) {
        EXPECT_FALSE(path_is_under(m.dst, under)) << m.dst << " bound read-write from " << m.src;
        EXPECT_FALSE(path_is_under(m.src, under) && m.why != "gopls config") << m.dst << " from " << m.src;
      }
    }
    std::string notes;
    for (const auto& n : p->notes) notes += n + "\n";
    EXPECT_NE(notes.find("warning: not binding " + dep + " as a workspace: it is inside GOMODCACHE"), std::string::npos) << notes;
    EXPECT_NE(notes.find("warning: not binding /usr/lib/go/src/net as a workspace: it is inside"), std::string::npos) << notes;
    EXPECT_NE(notes.find("warning: not binding /home/u/src/link as a workspace: it is inside GOMODCACHE"), std::string::npos) << notes;
    EXPECT_NE(notes.find("warning: not binding /etc/xdg as a workspace: it is a system directory (/etc)"), std::string::npos) << notes;
    EXPECT_NE(notes.find("warning: not binding module root " + dep + ": it is inside GOMODCACHE"), std::string::npos) << notes;
  }
  // A hidden directory of the home (a hostile *.code-workspace can name ../../.ssh) or ~/bin.
  for (const char* w : {"/home/u/.ssh", "/home/u/.config/nvim", "/home/u/bin"}) {
    PlanInputs in = inputs();
    in.workspaces = {w};
    in.workspaces_real = {w};
    auto p = build_plan(in, fake_host({{w, {PathFacts::Dir, {}, PathFacts::Dir}}}));
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_FALSE(find(*p, w, MountKind::Bind)) << w;
    std::string notes;
    for (const auto& n : p->notes) notes += n + "\n";
    EXPECT_NE(notes.find(std::string("warning: not binding ") + w + " as a workspace: it is /home/u/"), std::string::npos) << notes;
  }
  // Named explicitly (--workspace), the user's choice is honoured.
  PlanInputs in = inputs();
  in.cache_mode = CacheMode::Cow;
  in.cache_domain_dir = "/home/u/.local/state/gopls-sandbox/caches/ws-proj-0123456789abcdef";
  in.workspaces = {dep};
  in.workspaces_real = {dep};
  in.workspaces_explicit = true;
  auto p = build_plan(in, host);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(find(*p, dep, MountKind::Bind));
}

namespace {

// A fake host where / is also bound at /mnt/host and the home at /srv/h (device 1 inodes).
HostProbe host_with_binds() {
  std::map<std::string, PathFacts> extra;
  auto dir = [](uint64_t ino) {
    PathFacts f{PathFacts::Dir, {}, PathFacts::Dir};
    f.dev = 1;
    f.ino = ino;
    return f;
  };
  extra["/"] = dir(2);
  extra["/mnt"] = dir(10);
  extra["/mnt/host"] = dir(2);  // a bind of /
  extra["/mnt/host/home"] = dir(3);
  extra["/mnt/host/home/u"] = dir(4);
  extra["/mnt/host/home/u/.ssh"] = dir(5);
  extra["/mnt/host/home/u/src"] = dir(6);
  extra["/mnt/host/home/u/src/proj"] = dir(7);
  extra["/home"] = dir(3);
  extra["/home/u"] = dir(4);
  extra["/srv"] = dir(11);
  extra["/srv/h"] = dir(4);  // a bind of the home
  extra["/srv/h/.config"] = dir(8);
  extra["/srv/other"] = dir(12);
  extra["/srv/other/proj"] = dir(13);
  return fake_host(extra);
}

PlanInputs inputs_with_identities(const HostProbe& probe) {
  PlanInputs in = inputs();
  for (const auto& d : identity_anchors(in)) {
    PathFacts f = probe(d);
    in.host_identities.push_back({d, {f.dev, f.ino}});
  }
  return in;
}

}  // namespace

TEST(Plan, IdentityAliasesFindRootAndTheHomeBoundElsewhere) {
  HostProbe probe = host_with_binds();
  PlanInputs in = inputs_with_identities(probe);
  EXPECT_EQ(identity_anchors(in), (std::vector<std::string>{"/", "/home", "/home/u"}));
  using V = std::vector<std::string>;
  EXPECT_EQ(identity_aliases(in, "/mnt/host", probe), V{"/"});
  EXPECT_EQ(identity_aliases(in, "/mnt/host/home", probe), V{"/home"});
  EXPECT_EQ(identity_aliases(in, "/mnt/host/home/u", probe), V{"/home/u"});
  EXPECT_EQ(identity_aliases(in, "/mnt/host/home/u/.ssh", probe), V{"/home/u/.ssh"});
  EXPECT_EQ(identity_aliases(in, "/srv/h", probe), V{"/home/u"});
  EXPECT_EQ(identity_aliases(in, "/srv/h/.config", probe), V{"/home/u/.config"});
  // The host's own paths and other directories have no other name.
  EXPECT_EQ(identity_aliases(in, "/home/u/src/proj", probe), V{});
  EXPECT_EQ(identity_aliases(in, "/srv/other/proj", probe), V{});
  // Without probed identities (or unknown ones: 0, 0) nothing is compared.
  EXPECT_EQ(identity_aliases(inputs(), "/mnt/host", probe), V{});
  EXPECT_EQ(identity_aliases(in, "/mnt/host", fake_host()), V{});

  // What the refusals then say of each alias.
  EXPECT_NE(default_workspace_refusal(in, "/home/u", "/home/u"), "");
  EXPECT_NE(added_folder_refusal(in, "/home/u/.config"), "");
}

TEST(Plan, ADefaultWorkspaceThatIsRootOrTheHomeBoundElsewhereIsNotBound) {
  HostProbe probe = host_with_binds();
  auto plan_in = [&](const char* w) {
    PlanInputs in = inputs_with_identities(probe);
    in.cwd = w;
    in.workspaces = {w};
    in.workspaces_real = {w};
    return build_plan(in, probe);
  };
  for (const char* w : {"/mnt/host", "/mnt/host/home", "/srv/h", "/srv/h/.config", "/mnt/host/home/u/.ssh"}) {
    auto p = plan_in(w);
    ASSERT_TRUE(p.ok()) << w;
    EXPECT_FALSE(find(*p, w, MountKind::Bind)) << w;
    bool noted = false;
    for (const auto& n : p->notes) noted = noted || n.find("not binding " + std::string(w)) != std::string::npos;
    EXPECT_TRUE(noted) << w;
  }
  // A project reached through the bind of / is still a project; another directory too.
  for (const char* w : {"/mnt/host/home/u/src/proj", "/srv/other/proj"}) {
    auto p = plan_in(w);
    ASSERT_TRUE(p.ok()) << w;
    EXPECT_TRUE(find(*p, w, MountKind::Bind)) << w;
  }
}

TEST(Plan, TopLevelCodeWorkspaceFilesAreReadOnly) {
  auto in = inputs();
  std::vector<std::string> listed;
  in.list_names = [&](const std::string& dir) -> std::vector<std::string> {
    listed.push_back(dir);
    return {"team.code-workspace", "notes.code-workspace.txt", ".code-workspace", "main.go", "gone.code-workspace"};
  };
  const std::string w = "/home/u/src/proj";
  auto p = build_plan(in, fake_host({{w + "/team.code-workspace", {PathFacts::File, {}, PathFacts::File}},
                                     {w + "/notes.code-workspace.txt", {PathFacts::File, {}, PathFacts::File}},
                                     {w + "/.code-workspace", {PathFacts::File, {}, PathFacts::File}}}));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(listed, std::vector<std::string>{w});
  const MountOp* m = find(*p, w + "/team.code-workspace", MountKind::RoBind);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->is_file);
  for (const char* n : {"/notes.code-workspace.txt", "/.code-workspace", "/main.go", "/gone.code-workspace"})
    EXPECT_FALSE(find(*p, w + n, MountKind::RoBind)) << n;
  // A symlink cannot be made read-only (code inside could replace it): refused unless --writable-vcs.
  auto q = build_plan(in, fake_host({{w + "/team.code-workspace", {PathFacts::Symlink, "x", PathFacts::File}}}));
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.error().message.find("symbolic link"), std::string::npos);
  in.writable_vcs = true;
  auto r = build_plan(in, fake_host({{w + "/team.code-workspace", {PathFacts::File, {}, PathFacts::File}}}));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(find(*r, w + "/team.code-workspace", MountKind::RoBind));
}

// The go shim (src/shim/go_nest.cpp): its directory first on PATH, seen read-only at its own path
// (and Landlock's execute right with it), no mount when /usr already shows it; none without it.
TEST(Plan, TheGoShimDirectoryGoesFirstOnPathAndIsSeenReadOnly) {
  auto in = inputs();
  in.go_shim_dir = "/opt/gsb/libexec/gopls-sandbox/bin";
  auto p = build_plan(in, fake_host({{in.go_shim_dir, {PathFacts::Dir, {}, PathFacts::Dir}}}));
  ASSERT_TRUE(p.ok());
  EXPECT_NE(std::find(p->env.begin(), p->env.end(), "PATH=/opt/gsb/libexec/gopls-sandbox/bin:/usr/bin"), p->env.end());
  const MountOp* m = find(*p, in.go_shim_dir, MountKind::RoBind);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->is_file);
  EXPECT_EQ(find(*p, in.go_shim_dir, MountKind::Bind), nullptr);

  in.go_shim_dir = "/usr/libexec/gopls-sandbox/bin";  // installed: /usr is bound read-only already
  in.env = {"HOME=/home/u"};                            // and no PATH of the caller's
  p = build_plan(in, fake_host());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(find(*p, in.go_shim_dir, MountKind::RoBind), nullptr);
  EXPECT_NE(std::find(p->env.begin(), p->env.end(), "PATH=/usr/libexec/gopls-sandbox/bin"), p->env.end());

  // No driver searched on PATH: off, also for an empty value (which go/packages takes as unset).
  EXPECT_NE(std::find(p->env.begin(), p->env.end(), "GOPACKAGESDRIVER=off"), p->env.end());
  in.env.push_back("GOPACKAGESDRIVER=");
  p = build_plan(in, fake_host());
  ASSERT_TRUE(p.ok());
  EXPECT_NE(std::find(p->env.begin(), p->env.end(), "GOPACKAGESDRIVER=off"), p->env.end());
  EXPECT_EQ(std::find(p->env.begin(), p->env.end(), "GOPACKAGESDRIVER="), p->env.end());

  in = inputs();  // no shim: PATH as the caller had it
  p = build_plan(in, fake_host());
  ASSERT_TRUE(p.ok());
  EXPECT_NE(std::find(p->env.begin(), p->env.end(), "PATH=/usr/bin"), p->env.end());
}

// Third review: what the sandbox runs again by path must not be swappable through a writable
// parent. gopls at ~/go/bin (the private HOME inside) is bound read-only and every directory
// between HOME and it is pinned; a program or shim under /usr needs neither; one inside the
// workspace (read-write) gets a read-only bind of its own and pins up to the workspace.
TEST(Plan, DirectoriesAboveWhatTheSandboxRunsArePinned) {
  auto pins_of = [](const Plan& p) {
    std::vector<std::string> v;
    for (const auto& m : p.mounts)
      if (m.kind == MountKind::Pin) v.push_back(m.dst);
    return v;
  };
  auto in = inputs();
  in.argv = {"/home/u/go/bin/gopls"};
  in.go_shim_dir = "/usr/libexec/gopls-sandbox/bin";
  auto host = fake_host({{"/home/u/go/bin/gopls", {PathFacts::File, {}, PathFacts::File}},
                         {"/home/u/src/proj/tools/gopls", {PathFacts::File, {}, PathFacts::File}}});
  auto p = build_plan(in, host);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(find(*p, "/home/u/go/bin/gopls", MountKind::RoBind));
  EXPECT_EQ(pins_of(*p), (std::vector<std::string>{"/home/u/go", "/home/u/go/bin"}));
  EXPECT_GT(index_of(*p, "/home/u/go"), index_of(*p, "/home/u/go/bin/gopls"));  // after the bind (recursive)
  in.argv = {"/usr/bin/gopls"};
  p = build_plan(in, host);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(pins_of(*p).empty());
  EXPECT_FALSE(find(*p, "/usr/bin/gopls", MountKind::RoBind));
  in.argv = {"/home/u/src/proj/tools/gopls"};  // inside the read-write workspace
  p = build_plan(in, host);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(find(*p, "/home/u/src/proj/tools/gopls", MountKind::RoBind));
  // (and ~/src, which HOME holds: renaming it would move the workspace and the bind with it)
  EXPECT_EQ(pins_of(*p), (std::vector<std::string>{"/home/u/src", "/home/u/src/proj/tools"}));
}
