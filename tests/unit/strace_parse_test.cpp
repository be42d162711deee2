// Parser tests: one fixture per strace output format, plus inline tricky line shapes.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "gopls_sandbox/core/strace.hpp"
#include "gopls_sandbox/core/trace_input.hpp"
#include "gopls_sandbox/sys/io.hpp"

using namespace gsb;
using strace::Event;
using strace::Trace;

namespace {

std::string fixture(const std::string& name) { return std::string(GSB_TEST_FIXTURES) + "/strace/" + name; }

Trace parse_fixture(const std::string& name, std::optional<int> pid = std::nullopt) {
  auto bytes = sys::read_file(fixture(name));
  EXPECT_TRUE(bytes.ok()) << name;
  Trace t;
  t.parse_owned(bytes.ok() ? std::move(*bytes) : std::string(), name, pid);
  return t;
}

const Event* find(const Trace& t, std::string_view name, size_t nth = 0) {
  for (const auto& e : t.events())
    if (e.name == name && nth-- == 0) return &e;
  return nullptr;
}


Trace parse_text(std::string text) {
  Trace t;
  t.parse_owned(std::move(text), "inline");
  return t;
}

}  // namespace

// Every format fixture of the same workload (./w: file I/O, sockets, 2 children) parses fully.
struct FormatCase {
  const char* file;
  uint64_t min_syscalls;
  bool timestamps;
  bool durations;
  size_t processes;
  enum Kind { Full, Head, OnlyOk, OnlyFailed, Subset } kind = Full;
};

class StraceFormats : public ::testing::TestWithParam<FormatCase> {};

TEST_P(StraceFormats, ParsesWithoutLeftovers) {
  const auto& c = GetParam();
  Trace t = parse_fixture(c.file);
  const auto& st = t.stats();
  EXPECT_EQ(st.unparsed, 0u) << (t.unparsed_samples().empty() ? "" : t.unparsed_samples()[0].text);
  EXPECT_EQ(st.truncated, 0u);
  EXPECT_GE(st.syscalls, c.min_syscalls);
  EXPECT_EQ(t.pids().size(), c.processes);
  ASSERT_FALSE(t.events().empty());
  EXPECT_EQ(t.events().front().time.has_value(), c.timestamps);
  EXPECT_EQ(t.events().front().duration.has_value(), c.durations);
  size_t failed = 0;
  for (const auto& e : t.events()) failed += e.failed();
  if (c.kind == FormatCase::OnlyOk) {
    EXPECT_EQ(failed, 0u);
  }
  if (c.kind == FormatCase::OnlyFailed) {
    EXPECT_EQ(failed, t.events().size());
  }
  if (c.kind == FormatCase::Subset) {
    for (const auto& e : t.events())
      EXPECT_TRUE(e.name == "read" || e.name == "socket" || e.name == "bind" || e.name == "listen" ||
                  e.name == "connect" || e.name == "accept" || e.name == "getsockname" ||
                  e.name.starts_with("syscall_"))  // strace matches unknown numbers in every class
          << e.name;
  }
  if (c.kind == FormatCase::Full || c.kind == FormatCase::Head) {
    EXPECT_EQ(t.events().front().name, "execve");
    EXPECT_EQ(t.events().front().ret, 0);
  }
  if (c.kind == FormatCase::Full || c.kind == FormatCase::OnlyFailed) {
    // The program's failing open and the unknown syscall are there with their errno.
    bool enoent = false;
    for (const auto& e : t.events()) {
      if ((e.name == "openat" || e.name == "open") && e.err == "ENOENT" &&
          e.err_msg == "No such file or directory")
        enoent = true;
    }
    EXPECT_TRUE(enoent);
    const Event* u = find(t, "syscall_0x3e8");
    ASSERT_NE(u, nullptr);
    EXPECT_EQ(u->number, 1000);
    EXPECT_EQ(u->err, "ENOSYS");
    EXPECT_EQ(u->ret, -1);
  }
  for (const auto& e : t.events()) {
    EXPECT_FALSE(e.name.empty());
    EXPECT_EQ(e.arch, strace::Arch::x86_64);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, StraceFormats,
    ::testing::Values(FormatCase{"plain.strace", 60, false, false, 1},
                      FormatCase{"f.strace", 65, false, false, 3},
                      FormatCase{"f-stderr-pid.strace", 65, false, false, 4},  // 0 = unprefixed lines
                      FormatCase{"f-t.strace", 65, true, false, 3},
                      FormatCase{"f-tt-T.strace", 65, true, true, 3},
                      FormatCase{"f-ttt.strace", 65, true, false, 3},
                      FormatCase{"f-r.strace", 65, true, false, 3},
                      FormatCase{"f-y.strace", 65, false, false, 3},
                      FormatCase{"f-yy.strace", 65, false, false, 3},
                      FormatCase{"x.strace", 60, false, false, 1},
                      FormatCase{"xx.strace", 60, false, false, 1},
                      FormatCase{"X-raw.strace", 60, false, false, 1},
                      FormatCase{"X-abbrev.strace", 60, false, false, 1},
                      FormatCase{"X-verbose.strace", 60, false, false, 1},
                      FormatCase{"i.strace", 60, false, false, 1},
                      FormatCase{"f-k.strace", 10, false, false, 1, FormatCase::Head},
                      FormatCase{"f-z.strace", 60, false, false, 3, FormatCase::OnlyOk},
                      FormatCase{"f-Z.strace", 3, false, false, 3, FormatCase::OnlyFailed},
                      FormatCase{"f-e-trace-network.strace", 10, false, false, 3, FormatCase::Subset},
                      FormatCase{"f-C.strace", 65, false, false, 3},
                      FormatCase{"n-i.strace", 60, false, false, 1},
                      FormatCase{"f-Y-comm.strace", 65, false, false, 3}),
    [](const auto& info) {
      std::string n = info.param.file;
      for (auto& ch : n)
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

TEST(StraceParse, TimestampsAndDurations) {
  Trace t = parse_text(
      "10834 02:58:59.276791 brk(NULL)         = 0x3972f000 <0.000044>\n"
      "10834 1795748343.268179 getpid() = 10834\n"
      "     0.000235 gettid()           = 7\n"
      "10834 02:58:59 getuid() = 1000\n");
  ASSERT_EQ(t.events().size(), 4u);
  EXPECT_DOUBLE_EQ(*t.events()[0].time, 2 * 3600 + 58 * 60 + 59.276791);
  EXPECT_DOUBLE_EQ(*t.events()[0].duration, 0.000044);
  EXPECT_EQ(t.events()[0].ret, 0x3972f000);
  EXPECT_EQ(t.events()[0].ret_text, "0x3972f000");
  EXPECT_DOUBLE_EQ(*t.events()[1].time, 1795748343.268179);
  EXPECT_EQ(t.events()[1].pid, 10834);
  EXPECT_DOUBLE_EQ(*t.events()[2].time, 0.000235);
  EXPECT_EQ(t.events()[2].pid, 0);
  EXPECT_DOUBLE_EQ(*t.events()[3].time, 2 * 3600 + 58 * 60 + 59);
}

// -tt clocks and -T durations of the usual shape take a fast path; other shapes the general one.
// Both give bit for bit what the general path computes (h*3600.0 + m*60.0 + mantissa/10^k).
TEST(StraceParse, FastTimestampPathsAreExact) {
  Trace t = parse_text(
      "10834 23:59:59.999999 brk(NULL) = 0x1 <9.999999>\n"
      "10834 02:58:59.276791 brk(NULL) = 0x1 <0.000044>\n"
      "10834 2:58:59.276791 brk(NULL) = 0x1 <12.345678>\n"
      "10834 02:58:59.2767 brk(NULL) = 0x1 <0.0000441>\n"
      "10834 02:58:59.276791  brk(NULL) = 0x1 <10>\n");
  ASSERT_EQ(t.events().size(), 5u);
  const auto& e = t.events();
  EXPECT_EQ(*e[0].time, 23 * 3600.0 + 59 * 60.0 + 59999999.0 / 1e6);
  EXPECT_EQ(*e[0].duration, 9999999.0 / 1e6);
  EXPECT_EQ(*e[1].time, 2 * 3600.0 + 58 * 60.0 + 59276791.0 / 1e6);
  EXPECT_EQ(*e[1].duration, 44.0 / 1e6);
  EXPECT_EQ(*e[2].time, 2 * 3600.0 + 58 * 60.0 + 59276791.0 / 1e6);
  EXPECT_EQ(*e[2].duration, 12345678.0 / 1e6);
  EXPECT_EQ(*e[3].time, 2 * 3600.0 + 58 * 60.0 + 592767.0 / 1e4);
  EXPECT_EQ(*e[3].duration, 441.0 / 1e7);
  EXPECT_EQ(*e[4].time, *e[1].time);
  EXPECT_EQ(*e[4].duration, 10.0);
  EXPECT_EQ(e[4].ret_text, "0x1");
  for (const auto& ev : e) EXPECT_EQ(ev.pid, 10834);
}

// Trace::set_argv_filter: only argv of the calls the filter names; everything else the same.
TEST(StraceParse, ArgvFilterSplitsOnlyTheNamedCalls) {
  std::string text =
      "10 openat(AT_FDCWD</h>, \"/etc/x\", O_RDONLY) = 3</etc/x>\n"
      "10 read(3</etc/x>, \"a,b\"..., 4096 <unfinished ...>\n"
      "11 ioctl(1, TCGETS <unfinished ...>\n"
      "10 <... read resumed>) = 4096\n"
      "11 <... ioctl resumed>, 0x7ff) = 0\n"
      "11 write(1, \"x\", 1 <unfinished ...>\n";
  Trace all;
  all.parse(text, "t");
  Trace some;
  some.set_argv_filter([](std::string_view n) { return n == "ioctl" || n == "openat"; });
  some.parse(text, "t");
  ASSERT_EQ(all.events().size(), 4u);
  ASSERT_EQ(some.events().size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    const auto& a = all.events()[i];
    const auto& b = some.events()[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.args, b.args);
    EXPECT_EQ(a.ret_text, b.ret_text);
    EXPECT_EQ(a.unfinished, b.unfinished);
    EXPECT_EQ(a.resumed, b.resumed);
    EXPECT_FALSE(a.argv.empty()) << a.name;
    if (a.name == "ioctl" || a.name == "openat") {
      EXPECT_EQ(std::vector<std::string_view>(a.argv.begin(), a.argv.end()),
                std::vector<std::string_view>(b.argv.begin(), b.argv.end())) << a.name;
    } else {
      EXPECT_TRUE(b.argv.empty()) << b.name;
    }
  }
  EXPECT_EQ(some.events()[2].argv.size(), 3u);  // ioctl joined from its two lines
  EXPECT_EQ(all.stats().unfinished, some.stats().unfinished);
  EXPECT_EQ(all.stats().resumed, some.stats().resumed);
}

TEST(StraceParse, TrickyLines) {
  Trace t = parse_fixture("tricky.strace");
  EXPECT_EQ(t.stats().unparsed, 0u) << (t.unparsed_samples().empty() ? "" : t.unparsed_samples()[0].text);
  const Event* w = find(t, "write");
  ASSERT_NE(w, nullptr);
  ASSERT_EQ(w->argv.size(), 3u);
  EXPECT_EQ(w->argv[1], R"("a) = 3 \"q\"\n end")");
  EXPECT_EQ(strace::unquote(w->argv[1]), std::string("a) = 3 \"q\"\n end"));
  EXPECT_EQ(w->ret, 15);

  const Event* o = find(t, "openat");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->err, "ENOENT");
  EXPECT_EQ(o->ret, -1);
  EXPECT_EQ(strace::paths(*o), std::vector<std::string>{"/tmp/x\") = -1 ENOENT (y)"});

  // Interleaved pairs across pids: entry order is kept, args are joined.
  const Event* fu = find(t, "futex");
  ASSERT_NE(fu, nullptr);
  EXPECT_TRUE(fu->resumed);
  EXPECT_EQ(fu->pid, 100);
  EXPECT_EQ(fu->line, 3u);
  EXPECT_EQ(fu->args, "0xc000080148, FUTEX_WAIT_PRIVATE, 0, NULL");
  EXPECT_EQ(fu->err, "EAGAIN");
  const Event* rd = find(t, "read");
  ASSERT_NE(rd, nullptr);
  EXPECT_EQ(rd->pid, 101);
  EXPECT_EQ(rd->args, R"(3, "x, y) = 9", 512)");
  ASSERT_EQ(rd->argv.size(), 3u);
  EXPECT_EQ(rd->argv[1], R"("x, y) = 9")");
  EXPECT_EQ(rd->ret, 9);
  const Event* ns = find(t, "nanosleep");
  ASSERT_NE(ns, nullptr);
  EXPECT_EQ(ns->argv.size(), 2u);
  EXPECT_EQ(ns->argv[1], "NULL");
  EXPECT_EQ(ns->pid, 102);

  const Event* ep = find(t, "epoll_pwait", 1);
  ASSERT_NE(ep, nullptr);
  EXPECT_EQ(ep->argv.size(), 6u);
  EXPECT_EQ(ep->ret, 1);

  const Event* rs = find(t, "restart_syscall");
  ASSERT_NE(rs, nullptr);
  EXPECT_EQ(rs->ret, 0);

  const Event* poll = find(t, "poll");
  ASSERT_NE(poll, nullptr);
  EXPECT_EQ(poll->note, "Timeout");
  EXPECT_EQ(poll->argv.size(), 3u);
  EXPECT_EQ(find(t, "fcntl")->note, "flags O_RDWR|O_LARGEFILE");
  EXPECT_EQ(find(t, "fcntl")->ret, 0x8002);

  const Event* w4 = find(t, "wait4");
  ASSERT_NE(w4, nullptr);
  EXPECT_FALSE(w4->ret.has_value());
  EXPECT_EQ(w4->ret_text, "?");
  EXPECT_EQ(w4->err, "ERESTARTSYS");
  EXPECT_EQ(w4->err_msg, "To be restarted if SA_RESTART is set");

  EXPECT_EQ(find(t, "mmap")->ret, 0x7f1c2a3b4000);

  const Event* cn = find(t, "connect");
  ASSERT_NE(cn, nullptr);
  ASSERT_EQ(cn->argv.size(), 3u);
  EXPECT_EQ(cn->argv[0], "5<UNIX-STREAM:[5678]>");
  EXPECT_EQ(cn->argv[1], R"({sa_family=AF_UNIX, sun_path="/run/a,b) = c"})");
  const Event* gp = find(t, "getpeername");
  ASSERT_NE(gp, nullptr);
  ASSERT_EQ(gp->argv.size(), 3u);
  EXPECT_EQ(gp->argv[0], R"(5<UNIX-STREAM:[5678->5679,"/run/a,b"]>)");
  EXPECT_EQ(gp->argv[2], "[110 => 2]");
  const Event* ac = find(t, "accept4");
  ASSERT_NE(ac, nullptr);
  EXPECT_EQ(ac->argv.size(), 4u);
  EXPECT_EQ(ac->ret, 7);
  EXPECT_EQ(ac->ret_text, "7<TCP:[127.0.0.1:8080->127.0.0.1:41234]>");
  const Event* r0 = find(t, "read", 1);
  ASSERT_NE(r0, nullptr);
  EXPECT_EQ(r0->argv.size(), 3u);
  EXPECT_EQ(r0->argv[0], "0</dev/pts/0<char 136:0>>");
  EXPECT_EQ(strace::unquote(r0->argv[0]), std::string("/dev/pts/0"));

  const Event* un = find(t, "syscall_0x1b6");
  ASSERT_NE(un, nullptr);
  EXPECT_EQ(un->number, 0x1b6);

  const Event* eg = find(t, "exit_group");
  ASSERT_NE(eg, nullptr);
  EXPECT_FALSE(eg->ret.has_value());
  // "<unfinished ...>) = ?": the process died inside the call.
  const Event* fu2 = find(t, "futex", 1);
  ASSERT_NE(fu2, nullptr);
  EXPECT_EQ(fu2->pid, 102);
  EXPECT_FALSE(fu2->unfinished);
  EXPECT_FALSE(fu2->ret.has_value());
  EXPECT_EQ(fu2->argv.size(), 4u);
  // exit_group(2 <unfinished ...> then the exit: closed as unfinished.
  const Event* eg2 = find(t, "exit_group", 1);
  ASSERT_NE(eg2, nullptr);
  EXPECT_TRUE(eg2->unfinished);
  EXPECT_EQ(eg2->argv.size(), 1u);
  EXPECT_EQ(t.stats().unfinished, 1u);
  EXPECT_EQ(t.stats().signals, 1u);
  EXPECT_EQ(t.stats().exits, 3u);
  EXPECT_EQ(t.pids(), (std::vector<int>{100, 101, 102, 103}));
}

TEST(StraceParse, StderrPidPrefixAndInterruptedLines) {
  Trace t = parse_fixture("f-stderr-pid.strace");
  EXPECT_EQ(t.stats().unparsed, 0u);
  EXPECT_EQ(t.stats().orphan_resumed, 0u);
  EXPECT_EQ(t.stats().unfinished, 0u);
  // "[pid  N] read(9, strace: Process M attached\n <unfinished ...>" is rejoined.
  bool found = false;
  for (const auto& e : t.events())
    if (e.name == "read" && e.args.starts_with("9, ") && e.resumed) found = true;
  EXPECT_TRUE(found);
  // The last lines lose their [pid N] prefix; the resumed wait4 is matched by name.
  const Event* w = find(t, "wait4", 1);
  ASSERT_NE(w, nullptr);
  EXPECT_TRUE(w->resumed);
  EXPECT_NE(w->pid, 0);
}

TEST(StraceParse, PerPidFilesTakeThePidFromTheName) {
  Trace t;
  for (const char* f : {"ff/w.3978", "ff/w.3979", "ff/w.3980"}) {
    auto b = sys::read_file(fixture(f));
    ASSERT_TRUE(b.ok());
    t.parse_owned(std::move(*b), f, trace_input::pid_from_name(f));
  }
  EXPECT_EQ(t.pids(), (std::vector<int>{3978, 3979, 3980}));
  EXPECT_EQ(t.stats().unparsed, 0u);
  EXPECT_EQ(t.stats().exits, 3u);
  EXPECT_EQ(t.sources().size(), 3u);
}

TEST(StraceParse, StackTraceLinesAreSkipped) {
  Trace t = parse_fixture("f-k.strace");
  EXPECT_GT(t.stats().stack, 50u);
  EXPECT_EQ(t.stats().unparsed, 0u);
}

TEST(StraceParse, ThirtyTwoBitProcessesAreMarked) {
  Trace t = parse_fixture("i386.strace");
  EXPECT_EQ(t.stats().unparsed, 0u);
  EXPECT_EQ(find(t, "execve")->arch, strace::Arch::x86_64);
  EXPECT_EQ(find(t, "brk")->arch, strace::Arch::i386);
  EXPECT_EQ(find(t, "_llseek")->arch, strace::Arch::i386);
  EXPECT_EQ(find(t, "mmap2")->arch, strace::Arch::i386);
  EXPECT_EQ(find(t, "clone")->arch, strace::Arch::x86_64);  // another pid
  EXPECT_EQ(find(t, "set_thread_area")->note, "entry_number=12");
  EXPECT_EQ(t.stats().foreign_arch, 9u);
}

TEST(StraceParse, UnknownSyscallNumbers) {
  Trace t = parse_fixture("unknown-numbers.strace");
  ASSERT_EQ(t.events().size(), 4u);
  EXPECT_EQ(t.events()[0].number, 438);
  EXPECT_EQ(t.events()[1].number, 1000);
  EXPECT_EQ(t.events()[2].number, 438);
  EXPECT_EQ(t.events()[3].number, -1);
  EXPECT_EQ(strace::unknown_syscall_number("syscall_0x1b6"), 438);
  EXPECT_EQ(strace::unknown_syscall_number("syscall_"), -1);
  EXPECT_EQ(strace::unknown_syscall_number("openat"), -1);
}

TEST(StraceParse, TruncatedLastLineIsCountedNotUnparsed) {
  Trace t = parse_fixture("truncated-line.strace");
  EXPECT_EQ(t.stats().truncated, 1u);
  EXPECT_EQ(t.stats().unparsed, 0u);
  EXPECT_EQ(t.stats().syscalls, 3u);
  // The same text with a newline at the end is an unparsed line.
  Trace t2 = parse_text("300   write(1, \"cut off\n");
  EXPECT_EQ(t2.stats().unparsed, 1u);
  ASSERT_EQ(t2.unparsed_samples().size(), 1u);
  EXPECT_EQ(t2.unparsed_samples()[0].line, 1u);
  EXPECT_EQ(t2.unparsed_samples()[0].source, "inline");
}

TEST(StraceParse, SummaryTable) {
  Trace t = parse_fixture("summary-c.strace");
  EXPECT_EQ(t.stats().syscalls, 0u);
  EXPECT_EQ(t.stats().unparsed, 0u);
  EXPECT_GT(t.summary().size(), 20u);
  auto it = std::find_if(t.summary().begin(), t.summary().end(), [](auto& r) { return r.name == "access"; });
  ASSERT_NE(it, t.summary().end());
  EXPECT_EQ(it->calls, 1u);
  EXPECT_EQ(it->errors, 1u);
  EXPECT_EQ(t.summary().back().name, "rseq");
  // -C: trace and table in one file.
  Trace c = parse_fixture("f-C.strace");
  EXPECT_GT(c.summary().size(), 20u);
  EXPECT_GT(c.stats().syscalls, 60u);
  EXPECT_EQ(c.stats().unparsed, 0u);
}

TEST(StraceParse, ThirtyTwoBitSummarySection) {
  Trace t = parse_text(
      "% time     seconds  usecs/call     calls    errors syscall\n"
      "------ ----------- ----------- --------- --------- ----------------\n"
      " 60.00    0.000006           6         1           read\n"
      "100.00    0.000010           3         3         1 total\n"
      "System call usage summary for 32 bit mode:\n"
      "% time     seconds  usecs/call     calls    errors syscall\n"
      "------ ----------- ----------- --------- --------- ----------------\n"
      "100.00    0.000004           2         2         1 _llseek\n"
      "------ ----------- ----------- --------- --------- ----------------\n"
      "100.00    0.000004           2         2         1 total\n");
  ASSERT_EQ(t.summary().size(), 2u);
  EXPECT_EQ(t.summary()[0].arch, strace::Arch::x86_64);
  EXPECT_EQ(t.summary()[1].name, "_llseek");
  EXPECT_EQ(t.summary()[1].arch, strace::Arch::i386);
  EXPECT_EQ(t.summary()[1].calls, 2u);
  EXPECT_EQ(t.stats().unparsed, 0u);
}

TEST(StraceParse, GarbageIsCountedWithLineNumbers) {
  Trace t = parse_fixture("mostly-garbage.strace");
  EXPECT_EQ(t.stats().syscalls, 2u);
  EXPECT_EQ(t.stats().unparsed, 2u);
  ASSERT_EQ(t.unparsed_samples().size(), 2u);
  EXPECT_EQ(t.unparsed_samples()[0].line, 2u);
  EXPECT_EQ(t.unparsed_samples()[0].text, "garbage line one");
  EXPECT_EQ(t.unparsed_samples()[1].line, 3u);
}

TEST(StraceParse, InfoLinesOfOldAndNewStrace) {
  Trace t = parse_text("Process 12 attached\nstrace: Process 13 attached\n"
                       "strace: Process 13 detached\n[ Process PID=13 runs in x32 mode. ]\n"
                       "13 getpid() = 13\n");
  EXPECT_EQ(t.stats().info, 4u);
  EXPECT_EQ(t.stats().unparsed, 0u);
  ASSERT_EQ(t.events().size(), 1u);
  EXPECT_EQ(t.events()[0].arch, strace::Arch::x32);
}

TEST(StraceParse, EntryBeforePidPrefixesStarted) {
  Trace t = parse_text("clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>\n"
                       "[pid   11] set_robust_list(0x7f, 24) = 0\n"
                       "[pid   10] <... clone resumed>, child_tidptr=0x7f) = 11\n");
  EXPECT_EQ(t.stats().orphan_resumed, 0u);
  EXPECT_EQ(t.stats().unfinished, 0u);
  ASSERT_EQ(t.events().size(), 2u);
  EXPECT_EQ(t.events()[0].pid, 10);
  EXPECT_EQ(t.events()[0].ret, 11);
  EXPECT_EQ(t.events()[0].argv.size(), 3u);
}

TEST(StraceParse, OrphanResumedAndCrlf) {
  Trace t = parse_text("5 <... read resumed>\"abc\", 10) = 3\r\n5 getpid() = 5\r\n");
  ASSERT_EQ(t.events().size(), 2u);
  EXPECT_EQ(t.stats().orphan_resumed, 1u);
  EXPECT_EQ(t.events()[0].name, "read");
  EXPECT_EQ(t.events()[0].ret, 3);
  EXPECT_EQ(t.events()[1].ret, 5);
}

TEST(StraceParse, VerboseConstantsAndComments) {
  Trace t = parse_text(
      "10984 1795748343.268777 mmap(NULL, 8192, 0x3 /* PROT_READ|PROT_WRITE */, 0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0) = 0x7fcd66f26000\n"
      "10984 execve(\"/usr/bin/go\", [\"go\", \"build\"], 0x7ffe372e23b0 /* 13 vars, a, b */) = 0\n");
  ASSERT_EQ(t.events().size(), 2u);
  EXPECT_EQ(t.events()[0].argv.size(), 6u);
  EXPECT_EQ(t.events()[0].argv[2], "0x3 /* PROT_READ|PROT_WRITE */");
  EXPECT_EQ(t.events()[1].argv.size(), 3u);
  EXPECT_EQ(strace::paths(t.events()[1]), std::vector<std::string>{"/usr/bin/go"});
}

TEST(StraceParse, InjectedFaultsAndRawMode) {
  Trace t = parse_text(
      "openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY) = -1 EPERM (Operation not permitted) (INJECTED)\n"
      "openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY) = 42 (INJECTED)\n"
      "openat(0xffffff9c, 0x7f2fecfcc0b1, 0x80000, 0) = 0x3\n"
      "poll([{fd=3, events=POLLIN}], 1, 0) = 1 ([{fd=3, revents=POLLIN}])\n");
  EXPECT_EQ(t.stats().unparsed, 0u);
  ASSERT_EQ(t.events().size(), 4u);
  EXPECT_EQ(t.events()[0].err, "EPERM");
  EXPECT_EQ(t.events()[0].err_msg, "Operation not permitted");
  EXPECT_EQ(t.events()[0].note, "INJECTED");
  EXPECT_EQ(t.events()[1].ret, 42);
  EXPECT_EQ(t.events()[1].note, "INJECTED");
  EXPECT_EQ(t.events()[2].ret, 3);
  EXPECT_TRUE(strace::paths(t.events()[2]).empty());  // raw pointer, not a string
  EXPECT_EQ(t.events()[3].note, "[{fd=3, revents=POLLIN}]");
  EXPECT_FALSE(parse_text("getpid() = 5 (unbalanced\n").events().size());
}

TEST(StraceHelpers, SplitArgs) {
  std::vector<std::string_view> v;
  strace::split_args(R"(3, {a=1, b=[2, 3]}, "x,\"y", f(1, 2))", v);
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[1], "{a=1, b=[2, 3]}");
  EXPECT_EQ(v[2], R"("x,\"y")");
  EXPECT_EQ(v[3], "f(1, 2)");
  v.clear();
  strace::split_args("", v);
  EXPECT_TRUE(v.empty());
}

TEST(StraceHelpers, Unquote) {
  EXPECT_EQ(strace::unquote(R"("a\nb\t\x41\101\\\"")"), std::string("a\nb\tAA\\\""));
  EXPECT_EQ(strace::unquote(R"("\177ELF\2\1"...)"), std::string("\177ELF\2\1"));
  EXPECT_EQ(strace::unquote("AT_FDCWD</home/me>"), std::string("/home/me"));
  EXPECT_FALSE(strace::unquote("NULL").has_value());
  EXPECT_FALSE(strace::unquote(R"("unterminated)").has_value());
}

TEST(StraceHelpers, PathArguments) {
  EXPECT_EQ(std::vector<int>(strace::path_arg_indices("openat").begin(), strace::path_arg_indices("openat").end()),
            std::vector<int>{1});
  EXPECT_EQ(strace::path_arg_indices("stat").size(), 1u);
  EXPECT_EQ(strace::path_arg_indices("renameat2")[1], 3);
  EXPECT_TRUE(strace::path_arg_indices("read").empty());
  Trace t = parse_text("1 renameat2(AT_FDCWD, \"/a/b\", AT_FDCWD, \"/c\\nd\", RENAME_NOREPLACE) = 0\n"
                       "1 stat(\"/etc/passwd\", {st_mode=S_IFREG|0644, st_size=1, ...}) = 0\n");
  EXPECT_EQ(strace::paths(t.events()[0]), (std::vector<std::string>{"/a/b", "/c\nd"}));
  EXPECT_EQ(strace::paths(t.events()[1]), (std::vector<std::string>{"/etc/passwd"}));
}

TEST(StraceParse, TraceIsMovable) {
  Trace t = parse_text("1 openat(AT_FDCWD, \"/x\", O_RDONLY) = 3\n");
  Trace u = std::move(t);
  ASSERT_EQ(u.events().size(), 1u);
  EXPECT_EQ(u.events()[0].argv[1], "\"/x\"");
}

// Mutated logs (cut, flipped, special characters sprinkled in) never crash the parser and keep
// the line accounting exact. Run under -DGSB_SANITIZE=ON to catch out-of-bounds reads.
TEST(StraceParse, SurvivesMutatedInput) {
  const char* files[] = {"tricky.strace", "f-yy.strace", "f-stderr-pid.strace", "summary-c.strace", "X-verbose.strace"};
  uint64_t state = 0x9e3779b97f4a7c15ULL;
  auto rnd = [&]() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  const std::string specials = "\"()<>[]{},\\ =?-+/*\n.:0123456789";
  for (const char* f : files) {
    auto b = sys::read_file(fixture(f));
    ASSERT_TRUE(b.ok());
    for (int round = 0; round < 150; ++round) {
      std::string s = *b;
      int edits = 1 + static_cast<int>(rnd() % 8);
      for (int k = 0; k < edits && !s.empty(); ++k) {
        size_t pos = rnd() % s.size();
        switch (rnd() % 4) {
          case 0: s[pos] = specials[rnd() % specials.size()]; break;
          case 1: s.insert(pos, 1, specials[rnd() % specials.size()]); break;
          case 2: s.erase(pos, 1 + rnd() % 20); break;
          default: s.resize(pos); break;
        }
      }
      size_t lines = static_cast<size_t>(std::count(s.begin(), s.end(), '\n')) + (!s.empty() && s.back() != '\n');
      Trace t;
      t.parse(s, f);
      EXPECT_EQ(t.stats().lines, lines);
      for (const auto& e : t.events()) {
        EXPECT_FALSE(e.name.empty());
        for (auto a : e.argv) (void)strace::unquote(a);
        (void)strace::paths(e);
      }
    }
  }
}
