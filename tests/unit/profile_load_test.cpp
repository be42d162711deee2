// Profile loading: the malformed-profile corpus (one file per error kind, the expected
// "LINE:COL message" in its first line), the shipped profiles, the groups table invariants,
// include/override semantics and the small parsing helpers.
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "gopls_sandbox/core/policy.hpp"
#include "gopls_sandbox/core/profile.hpp"
#include "gopls_sandbox/core/syscall_groups.hpp"
#include "gopls_sandbox/core/syscall_table.hpp"

namespace fs = std::filesystem;
using namespace gsb;
using namespace gsb::core;

namespace {

const std::string kBadDir = std::string(GSB_TEST_FIXTURES) + "/profiles/bad";
const std::string kProfiles = std::string(GSB_TEST_SOURCE_DIR) + "/profiles";

std::vector<std::string> source_only_path() { return {kProfiles}; }

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string l;
  std::getline(in, l);
  return l;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

// A scratch directory with profile files, removed at the end of the test.
struct TempProfiles {
  fs::path dir;
  TempProfiles() {
    dir = fs::path(testing::TempDir()) /
          ("gsb-prof-" + std::to_string(::getpid()) + "-" +
           testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir);
  }
  ~TempProfiles() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string write(const std::string& name, const std::string& text) {
    fs::path p = dir / name;
    std::ofstream(p) << text;
    return p.string();
  }
};

}  // namespace

TEST(ProfileBadCorpus, EveryFileFailsWithItsExpectedLocationAndMessage) {
  size_t n = 0;
  std::vector<fs::path> files;
  for (auto& e : fs::directory_iterator(kBadDir))
    if (e.path().extension() == ".toml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (auto& p : files) {
    SCOPED_TRACE(p.string());
    std::string l = first_line(p.string());
    ASSERT_EQ(l.rfind("# expect: ", 0), 0u) << "first line must be '# expect: LINE:COL message'";
    std::string spec = l.substr(10);
    auto sp = spec.find(' ');
    std::string loc = spec.substr(0, sp);
    std::string msg = sp == std::string::npos ? "" : spec.substr(sp + 1);
    msg = replace_all(msg, "{DIR}", kBadDir);
    auto r = load_profile(p.string(), source_only_path());
    ASSERT_FALSE(r.ok()) << "loaded a malformed profile";
    EXPECT_EQ(r.error().kind, ErrorKind::Usage);
    // "LINE:COL" is in this file; "OTHER.toml:LINE:COL" is in an included file
    const std::string prefix = (loc.find(".toml:") != std::string::npos ? kBadDir + "/" + loc
                                                                          : p.string() + ":" + loc) +
                               ": ";
    const std::string& got = r.error().message;
    EXPECT_EQ(got.substr(0, prefix.size()), prefix) << got;
    if (!msg.empty()) {
      EXPECT_EQ(got.substr(std::min(prefix.size(), got.size())), msg);
    }
    ++n;
  }
  EXPECT_GE(n, 10u);
}

TEST(ProfileBadCorpus, CoversEveryErrorKind) {
  for (const char* f : {"unknown_syscall", "unknown_group", "include_cycle_a", "include_cycle_b",
                        "conflicting_rules", "invalid_errno", "arg_index", "bad_operator",
                        "bad_toml", "unknown_key"})
    EXPECT_TRUE(fs::exists(kBadDir + "/" + f + ".toml")) << f;
}

TEST(ShippedProfiles, LoadAndCarryWhatTheyPromise) {
  for (const char* name : {"gopls", "gopls-strict"}) {
    SCOPED_TRACE(name);
    auto r = load_profile(name, source_only_path());
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->name, name);
    EXPECT_FALSE(r->description.empty());
    EXPECT_EQ(r->default_action, (Action{ActionKind::Errno, EPERM}));
    EXPECT_EQ(r->unknown_errno, ENOSYS);
    // clone: conditional allow, no base
    auto c = r->syscalls.find(syscall_nr("clone"));
    ASSERT_NE(c, r->syscalls.end());
    EXPECT_FALSE(c->second.base.has_value());
    ASSERT_TRUE(c->second.cond_action.has_value());
    EXPECT_EQ(c->second.cond_action->kind, ActionKind::Allow);
    // ioctl: base allow, conditional errno, compared on 32 bits
    auto io = r->syscalls.find(syscall_nr("ioctl"));
    ASSERT_NE(io, r->syscalls.end());
    ASSERT_TRUE(io->second.base.has_value());
    EXPECT_EQ(io->second.base->kind, ActionKind::Allow);
    ASSERT_FALSE(io->second.cond_rules.empty());
    EXPECT_EQ(io->second.cond_rules[0].conds[0].op, CmpOp::MaskedEq);
    EXPECT_EQ(io->second.cond_rules[0].conds[0].mask, 0xffffffffULL);
  }
  auto strict = load_profile("gopls-strict", source_only_path());
  ASSERT_TRUE(strict.ok());
  ASSERT_EQ(strict->includes.size(), 1u);
  EXPECT_EQ(fs::path(strict->includes[0]).filename(), "gopls.toml");
  ASSERT_TRUE(strict->settings.share_net.has_value());
  EXPECT_FALSE(*strict->settings.share_net);
  // strict overrides socket to AF_UNIX only
  auto s = strict->syscalls.at(syscall_nr("socket"));
  ASSERT_EQ(s.cond_rules.size(), 1u);
  EXPECT_EQ(s.cond_rules[0].conds[0].value, 1u);  // AF_UNIX
  EXPECT_EQ(s.base, (Action{ActionKind::Errno, EPERM}));
  // strict turns cgo off for the go command it runs (its process model is refused)
  EXPECT_EQ(strict->settings.set_env, (std::vector<std::string>{"CGO_ENABLED=0"}));
}

TEST(SyscallGroups, TableInvariants) {
  const auto& gs = builtin_groups();
  ASSERT_FALSE(gs.empty());
  for (size_t i = 0; i < gs.size(); ++i) {
    SCOPED_TRACE(std::string(gs[i].name));
    if (i) {
      EXPECT_LT(gs[i - 1].name, gs[i].name) << "groups must be sorted by name";
    }
    EXPECT_TRUE(gs[i].name.starts_with('@'));
    EXPECT_FALSE(gs[i].description.empty());
    EXPECT_EQ(gs[i].description.find('\n'), std::string_view::npos);
    EXPECT_FALSE(gs[i].members.empty());
    std::set<std::string_view> seen;
    for (auto m : gs[i].members) {
      EXPECT_TRUE(seen.insert(m).second) << "duplicate member " << m;
      if (m.starts_with('@')) {
        EXPECT_NE(find_group(m), nullptr) << m;
      } else {
        EXPECT_GE(syscall_nr(m), 0) << "member does not resolve on x86_64: " << m;
      }
    }
    auto e = expand_group(gs[i].name);  // also detects cycles
    ASSERT_TRUE(e.ok()) << e.error().message;
    EXPECT_TRUE(std::is_sorted(e->begin(), e->end()));
  }
  for (auto name : {"@go-runtime", "@file-read", "@file-write", "@process", "@network-local"})
    EXPECT_NE(find_group(name), nullptr) << name;
  // groups never allow what the shipped profiles must refuse
  auto rt = expand_group("@go-runtime");
  ASSERT_TRUE(rt.ok());
  EXPECT_TRUE(std::binary_search(rt->begin(), rt->end(), "futex"));
  EXPECT_TRUE(std::binary_search(rt->begin(), rt->end(), "rt_sigaction"));  // via @signal
  EXPECT_FALSE(std::binary_search(rt->begin(), rt->end(), "clone"));
  EXPECT_FALSE(expand_group("@nope").ok());
}

TEST(SyscallTable, LookupsAndSuggestions) {
  EXPECT_EQ(syscall_nr("getpid"), 39);
  EXPECT_EQ(syscall_nr("ptrace"), 101);
  EXPECT_EQ(syscall_nr("nope"), -1);
  EXPECT_EQ(syscall_name(56), "clone");
  EXPECT_EQ(syscall_name(100000), "");
  EXPECT_GE(syscall_table_max_nr(), 435);  // clone3
  EXPECT_EQ(edit_distance("ptarce", "ptrace"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  auto c = closest_syscall_names("ptarce");
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(c[0], "ptrace");
  EXPECT_TRUE(closest_syscall_names("zzzzzzzzzzzzzzzzzzz").empty());
}

TEST(ProfileConstants, ParsesNamesNumbersAndOrs) {
  EXPECT_EQ(parse_constant_expr("TIOCSTI"), 0x5412u);
  EXPECT_EQ(parse_constant_expr("0x5412"), 0x5412u);
  EXPECT_EQ(parse_constant_expr("42"), 42u);
  EXPECT_EQ(parse_constant_expr("CLONE_NEWUSER|CLONE_NEWNS"), 0x10000000u | 0x00020000u);
  EXPECT_EQ(parse_constant_expr("AF_INET6"), 10u);
  EXPECT_EQ(parse_constant_expr("PROT_EXEC"), 4u);
  EXPECT_EQ(parse_constant_expr("READ_IMPLIES_EXEC"), 0x400000u);
  EXPECT_FALSE(parse_constant_expr("AF_NOPE").has_value());
  EXPECT_FALSE(parse_constant_expr("").has_value());
  EXPECT_FALSE(parse_constant_expr("AF_UNIX|").has_value());
}

TEST(ProfileSearchPath, OrderAndEnvironment) {
  auto p = profile_search_path("/xdg", "/home/u");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0], "/xdg/gopls-sandbox/profiles");
  EXPECT_EQ(p[2], GSB_SOURCE_PROFILE_DIR);
  auto q = profile_search_path(nullptr, "/home/u");
  EXPECT_EQ(q[0], "/home/u/.config/gopls-sandbox/profiles");
  auto r = profile_search_path("", nullptr);
  EXPECT_EQ(r.size(), 2u);
}

TEST(ProfileResolve, OwnEntriesOverrideIncludesComponentWise) {
  TempProfiles t;
  t.write("base.toml", R"(name = "base"
default_action = "kill"
allow = ["getpid", "ioctl", "getppid"]
[sandbox]
bind = ["/a"]
unset_env = ["X"]
set_env = ["A=base", "B=base"]
)");
  auto top = t.write("top.toml", R"(name = "top"
include = ["base"]
default_errno = "EACCES"
[[rule]]
syscalls = ["getppid"]
errno = "ENOENT"
[[rule]]
syscalls = ["ioctl"]
args = [ { index = 1, op = "eq", value = "TIOCSTI" } ]
[sandbox]
bind = ["/b"]
share_net = true
set_env = ["B=top", "C=with=equals"]
)");
  auto r = load_profile(top, {t.dir.string()});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->default_action.kind, ActionKind::Kill);  // inherited
  EXPECT_EQ(r->syscalls.at(syscall_nr("getpid")).base->kind, ActionKind::Allow);
  EXPECT_EQ(r->syscalls.at(syscall_nr("getppid")).base, (Action{ActionKind::Errno, ENOENT}));
  const auto& io = r->syscalls.at(syscall_nr("ioctl"));
  EXPECT_EQ(io.base->kind, ActionKind::Allow);  // kept from base
  EXPECT_EQ(io.cond_action, (Action{ActionKind::Errno, EACCES}));  // own default_errno
  EXPECT_EQ(r->settings.binds, (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(r->settings.unset_env, (std::vector<std::string>{"X"}));
  // set_env accumulates, the including file's entries after its includes' (the last one wins)
  EXPECT_EQ(r->settings.set_env, (std::vector<std::string>{"A=base", "B=base", "B=top", "C=with=equals"}));
  EXPECT_TRUE(r->settings.share_net.value_or(false));
}

TEST(ProfileResolve, NamedOverridesGroupAndSiblingIncludesMustAgree) {
  TempProfiles t;
  t.write("a.toml", "name = \"a\"\nallow = [\"getpid\"]\n");
  t.write("b.toml", "name = \"b\"\n[[rule]]\nsyscalls = [\"getpid\"]\n");
  t.write("c.toml", "name = \"c\"\nallow = [\"getpid\"]\n");
  auto ok = t.write("ok.toml", R"(name = "ok"
include = ["a", "c"]
allow = ["@process"]
[[rule]]
syscalls = ["kill"]
errno = "EPERM"
)");
  auto r = load_profile(ok, {t.dir.string()});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->syscalls.at(syscall_nr("kill")).base, (Action{ActionKind::Errno, EPERM}));
  EXPECT_EQ(r->syscalls.at(syscall_nr("wait4")).base_origin.via, "@process");
  auto bad = t.write("bad.toml", "name = \"bad\"\ninclude = [\"a\", \"b\"]\n");
  auto e = load_profile(bad, {t.dir.string()});
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find(bad + ":2:17: conflicting rules for \"getpid\" between includes"),
            std::string::npos)
      << e.error().message;
}

TEST(ProfileResolve, NotFoundAndUnreadable) {
  auto r = load_profile("definitely-not-a-profile", source_only_path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Usage);
  auto s = load_profile("/nonexistent/x.toml", source_only_path());
  ASSERT_FALSE(s.ok());
  auto n = load_profile("bad name!", source_only_path());
  ASSERT_FALSE(n.ok());
}

TEST(ProfileReadme, TheDocumentedExampleIsAValidProfile) {
  // profiles/README.md is the format's specification (other tools emit it): its complete
  // example must load and compile.
  std::ifstream in(kProfiles + "/README.md");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string md = ss.str();
  auto b = md.find("```toml\n");
  ASSERT_NE(b, std::string::npos);
  b += 8;
  auto e = md.find("```", b);
  ASSERT_NE(e, std::string::npos);
  TempProfiles t;
  auto f = t.write("example.toml", md.substr(b, e - b));
  auto r = load_profile(f, source_only_path());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->name, "example");
  EXPECT_EQ(r->settings.share_net, std::optional<bool>(false));
  EXPECT_EQ(r->settings.ro_binds, (std::vector<std::string>{"/opt/sdk"}));
  auto c = compile_policy(*r, Delivery::Errno);
  EXPECT_TRUE(c.ok()) << c.error().message;
}
