// Issue 16: the Landlock-only mode's rules (host paths) and environment follow from the plan.
#include <gtest/gtest.h>

#include <map>

#include "gopls_sandbox/core/landlock_only.hpp"

namespace gsb::core {
namespace {

const LandlockRule* rule(const LandlockPlan& lp, const std::string& path) {
  for (const auto& r : lp.rules)
    if (r.path == path) return &r;
  return nullptr;
}

bool env_has(const std::vector<std::string>& env, const std::string& kv) {
  for (const auto& e : env)
    if (e == kv) return true;
  return false;
}

TEST(LandlockOnlyPlan, WorkspaceGrantIsSplitAroundProtectedPaths) {
  Plan p;
  p.mounts = {{MountKind::RoBind, "/usr", "/usr", 0, false, false, "system"},
              {MountKind::Proc, "proc", "/proc", 0, false, false, "pid namespace"},
              {MountKind::Tmpfs, "tmpfs", "/tmp", 01777, false, false, "TMPDIR"},
              {MountKind::Tmpfs, "tmpfs", "/home/u", 0700, false, false, "HOME"},
              {MountKind::Bind, "/w", "/w", 0, false, false, "workspace"},
              {MountKind::RoBind, "/w/.git", "/w/.git", 0, false, true, "workspace: run by the host (read-only)"},
              {MountKind::RoBind, "/w/sub/.git", "/w/sub/.git", 0, true, true, "workspace: run by the host (read-only)"}};
  std::map<std::string, std::vector<std::pair<std::string, bool>>> tree = {
      {"/w", {{".git", true}, {"main.go", false}, {"pkg", true}, {"sub", true}}},
      {"/w/sub", {{".git", false}, {"x.go", false}, {"inner", true}}}};
  auto lop = landlock_only_plan(p, {"/s/tmp", "/s/xdg"}, [&](const std::string& d) { return tree[d]; });
  const auto& lp = lop.ll;
  EXPECT_TRUE(lp.deny_tcp);
  ASSERT_TRUE(rule(lp, "/w"));
  EXPECT_EQ(rule(lp, "/w")->access, ll::kReadOnly) << "no write, make or remove right above .git";
  EXPECT_EQ(rule(lp, "/w/.git")->access, ll::kReadOnly);
  EXPECT_EQ(rule(lp, "/w/pkg")->access, ll::kAll);
  EXPECT_EQ(rule(lp, "/w/main.go")->access, ll::kFileRights);
  EXPECT_EQ(rule(lp, "/w/sub")->access, ll::kReadOnly);
  EXPECT_EQ(rule(lp, "/w/sub/inner")->access, ll::kAll);
  EXPECT_EQ(rule(lp, "/w/sub/x.go")->access, ll::kFileRights);
  EXPECT_EQ(rule(lp, "/w/sub/.git")->access, ll::kReadOnly & ll::kFileRights);
  for (const auto& r : lp.rules) {
    EXPECT_TRUE(r.no_symlinks || r.path == "/proc") << r.path;
    EXPECT_FALSE(r.path == "/" || r.path == "/tmp" || r.path == "/home/u") << r.path;
  }
  EXPECT_EQ(rule(lp, "/s/tmp")->access, ll::kAll);
  EXPECT_EQ(rule(lp, "/proc")->access, ll::kReadFile | ll::kReadDir);
  EXPECT_TRUE(env_has(lop.env, "TMPDIR=/s/tmp"));
}

TEST(LandlockOnlyPlan, CachesBecomeTheDomainsPrivateOnes) {
  Plan p;
  p.share_net = true;
  MountOp gocache{MountKind::Overlay, "/h/.cache/go-build", "/h/.cache/go-build", 0, false, false, "GOCACHE (copy-on-write)"};
  gocache.fallback = "/d/gocache-1/private";
  MountOp mod{MountKind::Overlay, "", "/h/go/pkg/mod", 0, false, false, "GOMODCACHE (private)"};
  mod.fallback = "/d/gomodcache-2/private";
  MountOp gopls{MountKind::Overlay, "/h/.cache/gopls", "/h/.cache/gopls", 0, false, false, "gopls cache (copy-on-write)"};
  gopls.fallback = "/d/gopls-3/private";
  MountOp gi{MountKind::Overlay, "/h/.cache/goimports", "/h/.cache/goimports", 0, false, false, "goimports cache (copy-on-write)"};
  gi.fallback = "/d/goimports-4/private";
  p.mounts = {gocache, mod, gopls, gi};
  p.env = {"GOCACHE=/h/.cache/go-build", "PATH=/usr/bin"};
  auto lop = landlock_only_plan(p, {"/s/tmp", "/s/xdg"}, nullptr);
  EXPECT_FALSE(lop.ll.deny_tcp);
  EXPECT_FALSE(rule(lop.ll, "/h/.cache/go-build")) << "never the host's cache";
  EXPECT_EQ(rule(lop.ll, "/d/gocache-1/private")->access, ll::kAll);
  EXPECT_TRUE(env_has(lop.env, "GOCACHE=/d/gocache-1/private"));
  EXPECT_FALSE(env_has(lop.env, "GOCACHE=/h/.cache/go-build"));
  EXPECT_TRUE(env_has(lop.env, "GOMODCACHE=/d/gomodcache-2/private"));
  EXPECT_TRUE(env_has(lop.env, "GOPLSCACHE=/d/gopls-3/private"));
  EXPECT_TRUE(env_has(lop.env, "XDG_CACHE_HOME=/s/xdg"));
  ASSERT_EQ(lop.links.size(), 2u);
  EXPECT_EQ(lop.links[0].first, "/s/xdg/gopls");
  EXPECT_EQ(lop.links[0].second, "/d/gopls-3/private");
  EXPECT_EQ(lop.links[1].first, "/s/xdg/goimports");
  EXPECT_EQ(lop.links[1].second, "/d/goimports-4/private");
}

TEST(LandlockOnlyPlan, SharedCachesAreGrantedOnlyWhenAskedFor) {
  Plan p;
  p.mounts = {{MountKind::Bind, "/h/.cache/go-build", "/h/.cache/go-build", 0, false, true, "GOCACHE"}};
  auto lop = landlock_only_plan(p, {"/s/tmp", "/s/xdg"}, nullptr);
  EXPECT_EQ(rule(lop.ll, "/h/.cache/go-build")->access, ll::kAll);
}

TEST(LandlockOnlyPlan, RequireParsesThreeLevels) {
  EXPECT_EQ(*parse_require("namespaces"), Require::Namespaces);
  EXPECT_EQ(*parse_require("landlock"), Require::Landlock);
  EXPECT_EQ(*parse_require("none"), Require::None);
  EXPECT_FALSE(parse_require("maybe"));
}

TEST(LandlockOnlyPlan, DoctorLinesNameTheModeAndTheFix) {
  auto v = isolation_doctor_lines(IsolationLevel::LandlockOnly, "unshare(CLONE_NEWUSER): EPERM", 7);
  ASSERT_GE(v.size(), 3u);
  EXPECT_EQ(v[0].rfind("MODE: landlock-only", 0), 0u) << v[0];
  bool fix = false;
  for (const auto& l : v) fix = fix || l.find("apparmor_parser -r /etc/apparmor.d/gopls-sandbox") != std::string::npos;
  EXPECT_TRUE(fix);
  EXPECT_TRUE(isolation_doctor_lines(IsolationLevel::Namespaces, "", 7).empty());
}

}  // namespace
}  // namespace gsb::core
