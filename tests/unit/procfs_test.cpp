// Pure parsers of procfs formats (status, maps, environ, cgroup, ns and fd links, net/unix).
#include <gtest/gtest.h>

#include "gopls_sandbox/core/procfs.hpp"

using namespace gsb::core::procfs;

namespace {
// A sandboxed gopls as the host sees it (trimmed /proc/PID/status of a real one).
const char* kStatus =
    "Name:\tgopls\n"
    "Umask:\t0022\n"
    "State:\tS (sleeping)\n"
    "Tgid:\t19611\n"
    "Ngid:\t0\n"
    "Pid:\t19611\n"
    "PPid:\t19610\n"
    "TracerPid:\t0\n"
    "Uid:\t1000\t1000\t1000\t1000\n"
    "Gid:\t1000\t1000\t1000\t1000\n"
    "NStgid:\t19611\t2\n"
    "NSpid:\t19611\t2\n"
    "VmPeak:\t 1268024 kB\n"
    "VmRSS:\t   25704 kB\n"
    "Threads:\t8\n"
    "CapInh:\t0000000000000000\n"
    "CapPrm:\t0000000000000000\n"
    "CapEff:\t0000000000000000\n"
    "CapBnd:\t0000000000000000\n"
    "CapAmb:\t0000000000000000\n"
    "NoNewPrivs:\t1\n"
    "Seccomp:\t2\n"
    "Seccomp_filters:\t1\n"
    "Speculation_Store_Bypass:\tthread vulnerable\n";
}  // namespace

TEST(Procfs, StatusOfASandboxedGopls) {
  auto st = parse_status(kStatus);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(st->name, "gopls");
  EXPECT_EQ(st->pid, 19611);
  EXPECT_EQ(st->ppid, 19610);
  EXPECT_EQ(st->threads, 8);
  EXPECT_EQ(st->vm_rss_kb, 25704u);
  EXPECT_EQ(st->cap_eff, 0u);
  EXPECT_EQ(st->no_new_privs, 1);
  EXPECT_EQ(st->seccomp, 2);
  EXPECT_EQ(st->seccomp_filters, 1);
  EXPECT_EQ(st->state, "S (sleeping)");
  EXPECT_EQ(st->uid, (std::vector<long>{1000, 1000, 1000, 1000}));
  EXPECT_EQ(st->ns_pid, (std::vector<int>{19611, 2}));
}

TEST(Procfs, StatusOfAPrivilegedUnsandboxedProcessAndOldKernels) {
  auto st = parse_status("Name:\tbash\nPid:\t7\nPPid:\t1\nCapEff:\t000001fffeffffff\nThreads:\t1\n");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->cap_eff, 0x1fffeffffffull);
  EXPECT_EQ(st->no_new_privs, -1);  // not reported
  EXPECT_EQ(st->seccomp, -1);
  EXPECT_FALSE(parse_status("hello world\n").ok());
  EXPECT_FALSE(parse_status("").ok());
}

TEST(Procfs, MapsWithSpacesDeletedAndAnonymous) {
  auto m = parse_maps(
      "00400000-01a00000 r-xp 00000000 fe:00 262203                             /usr/bin/gopls\n"
      "c000000000-c004000000 rw-p 00000000 00:00 0 \n"
      "7f0000000000-7f0000021000 rw-p 00000000 00:00 0                          [heap]\n"
      "7f1000000000-7f1000001000 r--p 00000000 fe:00 5                          /root/go/pkg/mod/x@v1/a b.so (deleted)\n"
      "7f2000000000-7f2000002000 r--p 00000000 fe:00 6                          /usr/lib/go-1.19/pkg/x.a\n"
      "7f3000000000-7f3000001000 r-xp 00000000 fe:00 7                          /usr/lib/x86_64-linux-gnu/libc.so.6\n"
      "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]\n"
      "7ffd10000000-7ffd10002000 r-xp 00000000 00:00 0                          [vdso]\n"
      "garbage line\n");
  ASSERT_EQ(m.size(), 8u);
  EXPECT_EQ(m[0].path, "/usr/bin/gopls");
  EXPECT_EQ(m[0].perms, "r-xp");
  EXPECT_EQ(m[0].size(), 0x1600000u);
  EXPECT_EQ(m[1].path, "");
  EXPECT_EQ(m[3].path, "/root/go/pkg/mod/x@v1/a b.so (deleted)");
  EXPECT_EQ(m[3].inode, 5u);

  auto s = summarize_maps(m, {{"GOMODCACHE", "/root/go/pkg/mod"}, {"GOROOT", "/usr/lib/go-1.19"}}, "/usr/bin/gopls");
  std::map<std::string, MapGroup> by;
  for (const auto& g : s.groups) by[g.name] = g;
  EXPECT_EQ(s.groups.front().name, "GOMODCACHE");  // named prefixes first
  EXPECT_EQ(by["GOMODCACHE"].bytes, 0x1000u);
  EXPECT_EQ(by["GOROOT"].files, (std::vector<std::string>{"/usr/lib/go-1.19/pkg/x.a"}));
  EXPECT_EQ(by["executable"].bytes, 0x1600000u);
  EXPECT_EQ(by["libraries"].mappings, 1u);
  EXPECT_EQ(by["heap"].bytes, 0x21000u);
  EXPECT_EQ(by["stack"].bytes, 0x21000u);
  EXPECT_EQ(by["anonymous"].bytes, 0x4000000u);
  EXPECT_EQ(by["special"].mappings, 1u);
  uint64_t total = 0;
  for (const auto& e : m) total += e.size();
  EXPECT_EQ(s.total, total);
}

TEST(Procfs, Environ) {
  static const char kEnv[] = "GOFLAGS=-mod=mod\0GOPLS_SANDBOX=1\0EMPTY=\0noequals\0=x\0A=b=c\0";
  std::string text(kEnv, sizeof kEnv - 1);
  auto env = parse_environ(text);
  EXPECT_EQ(env.at("GOFLAGS"), "-mod=mod");
  EXPECT_EQ(env.at("GOPLS_SANDBOX"), "1");
  EXPECT_EQ(env.at("EMPTY"), "");
  EXPECT_EQ(env.at("A"), "b=c");
  EXPECT_EQ(env.count("noequals"), 0u);
  EXPECT_EQ(env.size(), 4u);
  EXPECT_TRUE(parse_environ("").empty());
}

TEST(Procfs, CgroupV1AndV2) {
  auto c = parse_cgroup("4:memory:/process_api/69b5\n1:cpu:/\n0::/user.slice/user-1000.slice\nbad\n");
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].hierarchy, 4);
  EXPECT_EQ(c[0].controllers, "memory");
  EXPECT_EQ(c[0].path, "/process_api/69b5");
  EXPECT_EQ(c[2].controllers, "");
  EXPECT_EQ(c[2].path, "/user.slice/user-1000.slice");
}

TEST(Procfs, NamespaceLinks) {
  auto n = parse_ns_link("mnt:[4026531832]");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->type, "mnt");
  EXPECT_EQ(n->inode, 4026531832u);
  EXPECT_EQ(parse_ns_link("pid_for_children:[4026532181]")->type, "pid_for_children");
  EXPECT_FALSE(parse_ns_link("mnt:[abc]"));
  EXPECT_FALSE(parse_ns_link("/dev/null"));
  EXPECT_FALSE(parse_ns_link(":[1]"));
}

TEST(Procfs, FdTargets) {
  auto s = classify_fd_target("socket:[46027]");
  EXPECT_EQ(s.kind, "socket");
  EXPECT_EQ(s.inode, 46027u);
  auto p = classify_fd_target("pipe:[132244]");
  EXPECT_EQ(p.kind, "pipe");
  EXPECT_EQ(p.inode, 132244u);
  auto a = classify_fd_target("anon_inode:[eventpoll]");
  EXPECT_EQ(a.kind, "anon");
  EXPECT_EQ(a.detail, "eventpoll");
  EXPECT_EQ(classify_fd_target("anon_inode:inotify").detail, "inotify");
  EXPECT_EQ(classify_fd_target("/dev/null").kind, "device");
  EXPECT_EQ(classify_fd_target("/home/u/src/app/main.go").kind, "file");
  auto d = classify_fd_target("/tmp/x (deleted)");
  EXPECT_EQ(d.kind, "deleted");
  EXPECT_EQ(d.detail, "/tmp/x");
  EXPECT_EQ(classify_fd_target("").kind, "other");
}

TEST(Procfs, NetUnixAndHex) {
  auto u = parse_net_unix(
      "Num       RefCount Protocol Flags    Type St Inode Path\n"
      "00000000a246ef80: 00000003 00000000 00000000 0001 03 44533\n"
      "00000000102527be: 00000002 00000000 00010000 0001 01 46027 /tmp/fx/sock\n");
  ASSERT_EQ(u.size(), 2u);
  EXPECT_EQ(u.at(44533), "");
  EXPECT_EQ(u.at(46027), "/tmp/fx/sock");
  EXPECT_EQ(parse_hex("000001fffeffffff"), 0x1fffeffffffull);
  EXPECT_FALSE(parse_hex("xyz"));
  EXPECT_FALSE(parse_hex(""));
}
