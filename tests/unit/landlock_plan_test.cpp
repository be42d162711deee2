// Issue 16: the Landlock rules follow from the plan's mounts.
#include <gtest/gtest.h>

#include "gopls_sandbox/core/landlock_plan.hpp"

namespace gsb::core {
namespace {

const LandlockRule* rule(const LandlockPlan& lp, const std::string& path) {
  for (const auto& r : lp.rules)
    if (r.path == path) return &r;
  return nullptr;
}

TEST(LandlockPlan, RightsFollowTheMountKinds) {
  Plan p;
  p.mounts = {{MountKind::RoBind, "/usr", "/usr", 0, false, false, "system"},
              {MountKind::Dir, "", "/etc", 0755, false, false, "minimal /etc"},
              {MountKind::Copy, "/etc/passwd", "/etc/passwd", 0, true, true, "minimal /etc"},
              {MountKind::DevBind, "/dev/null", "/dev/null", 0, true, false, "minimal /dev"},
              {MountKind::Proc, "proc", "/proc", 0, false, false, "pid namespace"},
              {MountKind::Tmpfs, "tmpfs", "/tmp", 01777, false, false, "TMPDIR"},
              {MountKind::Bind, "/w", "/w", 0, false, false, "workspace"},
              {MountKind::RoBind, "/w/.git", "/w/.git", 0, false, true, "workspace: run by the host (read-only)"},
              {MountKind::RoBind, "/w/.envrc", "/w/.envrc", 0, true, true, "workspace: run by the host (read-only)"},
              {MountKind::Symlink, "usr/bin", "/bin", 0, false, false, "system"},
              {MountKind::RemountRo, "", "/", 0, false, false, "root"}};
  auto lp = landlock_plan(p);
  ASSERT_TRUE(rule(lp, "/"));
  EXPECT_EQ(rule(lp, "/")->access, ll::kReadDir);
  EXPECT_EQ(rule(lp, "/usr")->access, ll::kReadOnly);
  EXPECT_EQ(rule(lp, "/etc/passwd")->access, ll::kReadFile);
  EXPECT_TRUE(rule(lp, "/etc/passwd")->is_file);
  EXPECT_EQ(rule(lp, "/dev/null")->access & ll::kExecute, 0u);
  EXPECT_EQ(rule(lp, "/tmp")->access, ll::kAll);
  EXPECT_EQ(rule(lp, "/w")->access, ll::kAll);
  EXPECT_EQ(rule(lp, "/w/.envrc")->access, ll::kReadOnly & ll::kFileRights);  // no directory rights on a file
  EXPECT_FALSE(rule(lp, "/bin"));  // a symlink: its target has the rule
  EXPECT_EQ(lp.scopes, ll::kScopeAbstractUnix | ll::kScopeSignal);
}

// Issue 13.2: the parents of the workspace mount points get every right (before the root is
// sealed), never "/"; a folder mounted later beside a workspace is covered, one elsewhere is not,
// and a rule on the mount point itself does not count (Landlock skips a covered directory).
TEST(LandlockPlan, SparesBesideTheWorkspacesForFoldersAddedLater) {
  Plan p;
  p.mounts = {{MountKind::RoBind, "/usr", "/usr", 0, false, false, "system"},
              {MountKind::Tmpfs, "tmpfs", "/tmp", 01777, false, false, "TMPDIR"},
              {MountKind::Bind, "/srv/code/a", "/srv/code/a", 0, false, false, "workspace"},
              {MountKind::Bind, "/srv/code/b", "/srv/code/b", 0, false, false, "workspace"},
              {MountKind::Bind, "/var/real/a", "/var/real/a", 0, false, false, "workspace (real path)"},
              {MountKind::Bind, "/top", "/top", 0, false, false, "workspace"},
              {MountKind::RoBind, "/srv/code/a/.git", "/srv/code/a/.git", 0, false, true, "workspace: run by the host (read-only)"},
              {MountKind::RemountRo, "", "/", 0, false, false, "root"}};
  add_landlock_spares(p);
  ASSERT_EQ(p.mounts.size(), 10u);
  EXPECT_EQ(p.mounts.back().kind, MountKind::RemountRo);
  EXPECT_EQ(p.mounts[7].dst, "/srv/code");
  EXPECT_EQ(p.mounts[8].dst, "/var/real");
  for (size_t i : {7u, 8u}) EXPECT_TRUE(p.mounts[i].spare && p.mounts[i].kind == MountKind::Dir) << i;
  auto lp = landlock_plan(p);
  EXPECT_EQ(rule(lp, "/srv/code")->access, ll::kAll);
  EXPECT_EQ(rule(lp, "/")->access, ll::kReadDir);  // /top's parent is "/": no spare
  EXPECT_TRUE(landlock_allows_beneath(lp, "/srv/code/c"));
  EXPECT_TRUE(landlock_allows_beneath(lp, "/tmp/x"));
  EXPECT_FALSE(landlock_allows_beneath(lp, "/srv/other"));
  EXPECT_FALSE(landlock_allows_beneath(lp, "/top"));
  EXPECT_FALSE(landlock_allows_beneath(lp, "/opt/d"));
  EXPECT_FALSE(landlock_allows_beneath(lp, "/usr/d"));  // read-only there
}

TEST(LandlockPlan, EachAbiHandlesWhatItKnows) {
  EXPECT_EQ(ll::handled_fs(0), 0u);
  EXPECT_EQ(ll::handled_fs(1) & ll::kRefer, 0u);
  EXPECT_NE(ll::handled_fs(2) & ll::kRefer, 0u);
  EXPECT_EQ(ll::handled_fs(2) & ll::kTruncate, 0u);
  EXPECT_NE(ll::handled_fs(3) & ll::kTruncate, 0u);
  EXPECT_EQ(ll::handled_fs(4) & ll::kIoctlDev, 0u);
  EXPECT_EQ(ll::handled_fs(7), ll::kAll);
  EXPECT_NE(landlock_summary(7).find("abstract unix sockets and signals"), std::string::npos);
  EXPECT_NE(landlock_summary(0).find("not available"), std::string::npos);
}

}  // namespace
}  // namespace gsb::core
