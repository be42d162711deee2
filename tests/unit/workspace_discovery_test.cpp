#include <gtest/gtest.h>

#include <map>
#include <set>

#include "gopls_sandbox/core/workspace_discovery.hpp"

namespace gsb::core {
namespace {

struct FakeFs {
  std::map<std::string, std::string> files;
  std::set<std::string> dirs;
  DiscoveryFs fs() const {
    DiscoveryFs f;
    f.read = [this](const std::string& p) -> std::optional<std::string> {
      auto it = files.find(p);
      if (it == files.end()) return std::nullopt;
      return it->second;
    };
    f.is_dir = [this](const std::string& p) { return dirs.count(p) > 0; };
    f.is_file = [this](const std::string& p) { return files.count(p) > 0; };
    return f;
  }
};

std::string show(const Discovery& d) {
  std::string s;
  for (const auto& b : d.binds) s += b.why + (b.ro ? " ro " : " rw ") + b.path + "\n";
  return s;
}

TEST(WorkspaceDiscovery, ParsesGoModAndGoWork) {
  auto f = parse_gomod(R"(module example.com/a // c
go 1.22
replace example.com/b => ../b
replace (
	example.com/c v1.0.0 => "../c" // quoted
	example.com/d => example.com/d2 v1.2.3
	example.com/e => /abs/e
)
use ./x
use (
	./y
	"../z"
)
)");
  EXPECT_EQ(f.replace_dirs, (std::vector<std::string>{"../b", "../c", "/abs/e"}));
  EXPECT_EQ(f.use, (std::vector<std::string>{"./x", "./y", "../z"}));
}

TEST(WorkspaceDiscovery, GoWorkInTheParentWithTwoUseModules) {
  FakeFs h;
  h.dirs = {"/w", "/w/a", "/w/b", "/w/other"};
  h.files["/w/go.work"] = "go 1.22\nuse (\n\t./a\n\t./b\n\t../elsewhere\n)\n";
  h.files["/w/a/go.mod"] = "module a\n";
  h.files["/w/b/go.mod"] = "module b\nreplace c => ../other\n";
  h.files["/w/other/go.mod"] = "module c\n";
  auto d = discover_go_paths({"/w/a"}, {}, h.fs());
  EXPECT_EQ(show(d), "go.work ro /w/go.work\ngo.work use rw /w/b\nreplace ro /w/other\n");
  ASSERT_EQ(d.notes.size(), 1u);  // ../elsewhere has no go.mod
  EXPECT_NE(d.notes[0].find("/elsewhere"), std::string::npos);
  DiscoveryEnv off;
  off.gowork = "off";
  EXPECT_EQ(show(discover_go_paths({"/w/a"}, off, h.fs())), "");
}

TEST(WorkspaceDiscovery, ReplaceAndModuleRoot) {
  FakeFs h;
  h.dirs = {"/p", "/p/m", "/p/m/sub", "/p/other"};
  h.files["/p/m/go.mod"] = "module m\nreplace o => ../other\n";
  h.files["/p/other/go.mod"] = "module o\n";
  EXPECT_EQ(show(discover_go_paths({"/p/m"}, {}, h.fs())), "replace ro /p/other\n");
  // A folder inside the module (or a lone file's directory): the module root too.
  EXPECT_EQ(show(discover_go_paths({"/p/m/sub"}, {}, h.fs())), "module root rw /p/m\nreplace ro /p/other\n");
}

TEST(WorkspaceDiscovery, HostileTargetsAreRefused) {
  FakeFs h;
  h.dirs = {"/home/u/src/evil", "/home/u", "/home/u/.ssh", "/tmp"};
  h.files["/home/u/src/evil/go.mod"] =
      "module evil\nreplace a => ../../.ssh\nreplace b => ../../..\nreplace c => /tmp\nreplace d => /proc/1/root\n";
  h.files["/home/u/go.mod"] = "module home\n";
  h.files["/tmp/go.mod"] = "module t\n";
  DiscoveryEnv env;
  env.home = "/home/u";
  auto d = discover_go_paths({"/home/u/src/evil"}, env, h.fs());
  EXPECT_EQ(show(d), "");
  EXPECT_EQ(d.notes.size(), 4u);
}

TEST(WorkspaceDiscovery, GopathMode) {
  FakeFs h;
  h.dirs = {"/g/src", "/g/src/example.com/a"};
  DiscoveryEnv env;
  env.gopath = "/g";
  env.go111module = "off";
  EXPECT_EQ(show(discover_go_paths({"/g/src/example.com/a"}, env, h.fs())), "GOPATH ro /g/src\n");
  env.go111module = "";
  EXPECT_EQ(show(discover_go_paths({"/g/src/example.com/a"}, env, h.fs())), "");
}

TEST(WorkspaceDiscovery, Modfile) {
  FakeFs h;
  h.dirs = {"/w"};
  h.files["/cfg/alt.mod"] = "module w\n";
  h.files["/cfg/alt.sum"] = "";
  DiscoveryEnv env;
  env.goflags = "-mod=mod -modfile=/cfg/alt.mod";
  EXPECT_EQ(show(discover_go_paths({"/w"}, env, h.fs())), "-modfile ro /cfg/alt.mod\n-modfile ro /cfg/alt.sum\n");
}

}  // namespace
}  // namespace gsb::core

namespace gsb::core {
namespace {

TEST(WorkspaceDiscovery, MissingRequirements) {
  auto m = parse_gomod(
      "module a\nrequire (\n\tgithub.com/BurntSushi/toml v1.3.2\n\texample.com/here v1.0.0 // indirect\n\texample.com/"
      "local v0.0.0\n)\nreplace example.com/local => ../local\n");
  std::set<std::string> have = {"/mc/cache/download/example.com/here/@v/v1.0.0.mod"};
  auto miss = missing_requirements(m, "/mc", [&](const std::string& p) { return have.count(p) > 0; });
  ASSERT_EQ(miss.size(), 1u);
  EXPECT_EQ(miss[0].first, "github.com/BurntSushi/toml");
  EXPECT_EQ(escape_module_path("github.com/BurntSushi/toml"), "github.com/!burnt!sushi/toml");
}

}  // namespace
}  // namespace gsb::core
