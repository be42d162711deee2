// Issue 13: the sandbox follows what the editor opens — the folders of `initialize` (started in
// cwd /), and what Go needs outside them (go.work in the parent, replace ../x, GOPATH mode, a
// symlinked folder, a folder inside a module) — each giving the same answers as bare gopls.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "harness.hpp"
#include "lsp_client.hpp"

namespace gsb::test {
namespace {

struct Query {
  std::string file;  // absolute path
  int line = 0, ch = 0;
};

struct Scenario {
  std::vector<std::string> folders;  // workspaceFolders (empty: null)
  std::string root;                  // rootUri's path when folders is empty ("" = null)
  std::string cwd = "/";
  std::map<std::string, std::string> env;
  std::vector<std::string> open;     // files opened, in order; each must load without errors
  std::vector<Query> defs;           // textDocument/definition
  std::vector<Query> refs;           // textDocument/references (with the declaration)
  // Each folder's main.go: a type error must be reported (diagnostics really run there).
  std::vector<std::string> break_files;
};

std::string uri_of(const std::string& p) { return "file://" + p; }

// mkdir -p, owned by `as` (the harness' write_file does not create directories).
void mkdirs(As as, const std::string& dir) {
  std::string cur;
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i < dir.size() && dir[i] != '/') continue;
    cur = dir.substr(0, i);
    if (::mkdir(cur.c_str(), 0755) == 0 && as == As::User &&
        ::chown(cur.c_str(), world().user_uid, world().user_gid) != 0)
      std::abort();
  }
}
void put(const std::string& path, const std::string& data, As as) {
  mkdirs(as, path.substr(0, path.rfind('/')));
  write_file(path, data, as);
}

// Answers of one LSP session, normalised into lines (comparable between bare gopls and the
// launcher).
struct Answers {
  std::vector<std::string> lines;
  std::string err;
  int status = -1;
};

json::Value loc_string_list(const json::Value& result) {
  std::vector<std::string> v;
  auto one = [&](const json::Value& l) {
    v.push_back(l["uri"].as_string() + ":" + std::to_string(l["range"]["start"]["line"].as_int(-1)) + ":" +
                std::to_string(l["range"]["start"]["character"].as_int(-1)));
  };
  if (result.is_array())
    for (const auto& l : result.as_array()) one(l);
  else if (result.is_object())
    one(result);
  std::sort(v.begin(), v.end());
  return json::string_array(v);
}

Answers session(As as, const std::vector<std::string>& argv, const Scenario& s, const GoplsGen& gen) {
  Answers a;
  SpawnOptions so;
  so.cwd = s.cwd;
  gen.apply(so.env);
  for (const auto& [k, v] : s.env) so.env[k] = v;
  TempDir logdir(as, "log");
  so.env["GOPLS_SANDBOX_LOG"] = logdir.path + "/denials.jsonl";
  Proc p = spawn(as, argv, so);
  LspClient c(p);
  json::Value init;
  init.set("processId", nullptr);
  if (!s.folders.empty()) {
    init.set("rootUri", uri_of(s.folders[0]));
    json::Value fs;
    for (const auto& f : s.folders) {
      json::Value o;
      o.set("uri", uri_of(f));
      o.set("name", f.substr(f.rfind('/') + 1));
      fs.push(o);
    }
    init.set("workspaceFolders", fs);
  } else {
    init.set("rootUri", s.root.empty() ? json::Value() : json::Value(uri_of(s.root)));
    init.set("workspaceFolders", nullptr);
  }
  json::Value caps, wsc, td, pd;
  wsc.set("configuration", true);
  wsc.set("workspaceFolders", true);
  caps.set("workspace", wsc);
  pd.set("relatedInformation", true);
  td.set("publishDiagnostics", pd);
  caps.set("textDocument", td);
  init.set("capabilities", caps);
  auto r = c.response(c.request("initialize", init));
  if (!r) {
    a.lines.push_back("no initialize response");
    a.err = p.err_buf;
    return a;
  }
  c.notify("initialized", json::Object{});
  for (const auto& f : s.open) {
    json::Value item;
    item.set("uri", uri_of(f));
    item.set("languageId", "go");
    item.set("version", 1);
    item.set("text", read_file(f));
    json::Value open;
    open.set("textDocument", item);
    c.notify("textDocument/didOpen", open);
  }
  // The first diagnostics of each opened file (LspClient drops notifications a predicate
  // refuses, so one predicate records them all).
  std::map<std::string, std::string> diag;
  while (diag.size() < s.open.size()) {
    auto d = c.notification("textDocument/publishDiagnostics", [&](const json::Value& n) {
      for (const auto& f : s.open) {
        if (n["params"]["uri"].as_string() != uri_of(f) || diag.count(f)) continue;
        std::string line;
        for (const auto& x : n["params"]["diagnostics"].as_array()) line += " [" + x["message"].as_string() + "]";
        diag[f] = line;
        return true;
      }
      return false;
    });
    if (!d) break;
  }
  for (const auto& f : s.open)
    a.lines.push_back("diagnostics " + f + ":" + (diag.count(f) ? diag[f] : std::string(" none published")));
  for (const auto& q : s.defs) {
    auto d = c.response(c.request("textDocument/definition", doc_pos(uri_of(q.file), q.line, q.ch)));
    a.lines.push_back("definition " + q.file + ":" + std::to_string(q.line) + ":" + std::to_string(q.ch) + " -> " +
                      (d ? loc_string_list((*d)["result"]).dump() + ((*d).find("error") ? (*d)["error"].dump() : "")
                         : "no response"));
  }
  for (const auto& q : s.refs) {
    json::Value v = doc_pos(uri_of(q.file), q.line, q.ch);
    json::Value ctx;
    ctx.set("includeDeclaration", true);
    v.set("context", ctx);
    auto d = c.response(c.request("textDocument/references", v));
    a.lines.push_back("references " + q.file + ":" + std::to_string(q.line) + ":" + std::to_string(q.ch) + " -> " +
                      (d ? loc_string_list((*d)["result"]).dump() : "no response"));
  }
  int version = 2;
  for (const auto& f : s.break_files) {
    json::Value change, vdoc, changes, whole;
    vdoc.set("uri", uri_of(f));
    vdoc.set("version", version++);
    change.set("textDocument", vdoc);
    std::string text = read_file(f);
    text += "\nvar _ int = \"not an int\"\n";
    whole.set("text", text);
    changes.push(whole);
    change.set("contentChanges", changes);
    c.notify("textDocument/didChange", change);
    auto d = c.notification("textDocument/publishDiagnostics", [&](const json::Value& n) {
      return n["params"]["uri"].as_string() == uri_of(f) && !n["params"]["diagnostics"].as_array().empty();
    });
    a.lines.push_back("type error in " + f + ": " + (d ? "reported" : "NOT reported"));
  }
  auto sd = c.response(c.request("shutdown", nullptr));
  c.notify("exit", nullptr);
  p.close_stdin();
  a.status = p.wait(std::chrono::seconds(30));
  a.err = p.err_buf;
  return a;
}

std::string joined(const Answers& a) {
  std::string s;
  for (const auto& l : a.lines) s += l + "\n";
  return s;
}

class WorkspaceFolders : public ::testing::TestWithParam<As> {
 protected:
  void SetUp() override { GSB_REQUIRE_AS_GEN(as(), Gen::Current); }
  As as() const { return GetParam(); }
  const GoplsGen& gen() const { return gopls_gen(Gen::Current); }

  // The launcher's answers must equal bare gopls' and contain no error.
  void same_as_bare(const Scenario& s) {
    Answers bare = session(as(), {gen().gopls}, s, gen());
    Answers sand = session(as(), {world().launcher}, s, gen());
    EXPECT_EQ(joined(sand), joined(bare)) << "--- launcher stderr ---\n" << sand.err << "\n--- bare stderr ---\n"
                                          << bare.err;
    std::string all = joined(sand);
    for (const auto& f : s.open) EXPECT_NE(all.find("diagnostics " + f + ":\n"), std::string::npos) << all;
    EXPECT_EQ(all.find("NOT reported"), std::string::npos) << all;
    EXPECT_EQ(all.find("[]"), std::string::npos) << "an empty definition/references answer:\n" << all;
    EXPECT_EQ(sand.status, 0) << sand.err;
  }
};
INSTANTIATE_TEST_SUITE_P(As, WorkspaceFolders, ::testing::Values(As::Root, As::User),
                         [](const auto& info) { return as_name(info.param); });

// Two modules a and b, each with Greeter in main.go (as write_go_module writes it).
TEST_P(WorkspaceFolders, TwoFoldersFromInitializeWithCwdRoot) {
  TempDir t(as());
  std::string a = t.path + "/alpha", b = t.path + "/beta";
  mkdirs(as(), a);
  write_go_module(a, as());
  mkdirs(as(), b);
  write_go_module(b, as());
  Scenario s;
  s.cwd = "/";
  s.folders = {a, b};
  s.open = {a + "/main.go", b + "/main.go"};
  s.defs = {{a + "/main.go", 10, 15}, {b + "/main.go", 10, 15}};
  s.refs = {{a + "/main.go", 6, 17}, {b + "/main.go", 6, 17}};
  s.break_files = {a + "/main.go", b + "/main.go"};
  same_as_bare(s);
  // And the launcher's own view: both definitions resolve inside their folder.
  Answers sand = session(as(), {world().launcher, "run", "-v", "--"}, s, gen());
  std::string all = joined(sand);
  EXPECT_NE(all.find("-> [\"file://" + a + "/main.go:6:17\"]"), std::string::npos) << all << sand.err;
  EXPECT_NE(all.find("-> [\"file://" + b + "/main.go:6:17\"]"), std::string::npos) << all << sand.err;
  EXPECT_NE(sand.err.find("workspace from initialize (workspaceFolders): " + a + " " + b), std::string::npos)
      << sand.err;
}

TEST_P(WorkspaceFolders, GoWorkInTheParentWithTwoUseModules) {
  TempDir t(as());
  std::string w = t.path;
  put(w + "/go.work", "go 1.22\n\nuse (\n\t./a\n\t./b\n)\n", as());
  put(w + "/a/go.mod", "module example.com/a\n\ngo 1.22\n", as());
  put(w + "/a/a.go", "package a\n\nimport \"example.com/b\"\n\nfunc A() string { return b.Hello() }\n", as());
  put(w + "/b/go.mod", "module example.com/b\n\ngo 1.22\n", as());
  put(w + "/b/b.go", "package b\n\nfunc Hello() string { return \"hi\" }\n", as());
  Scenario s;
  s.folders = {w + "/a"};
  s.env = {{"GOFLAGS", ""}};  // (the harness' -mod=mod is refused in workspace mode)
  s.open = {w + "/a/a.go"};
  s.defs = {{w + "/a/a.go", 4, 29}};
  s.refs = {{w + "/b/b.go", 2, 6}};
  same_as_bare(s);
}

TEST_P(WorkspaceFolders, ReplaceWithALocalPath) {
  TempDir t(as());
  std::string w = t.path;
  put(w + "/m/go.mod",
             "module example.com/m\n\ngo 1.22\n\nrequire example.com/other v0.0.0\n\nreplace example.com/other => "
             "../other\n",
             as());
  put(w + "/m/m.go", "package m\n\nimport \"example.com/other\"\n\nfunc M() int { return other.N }\n", as());
  put(w + "/other/go.mod", "module example.com/other\n\ngo 1.22\n", as());
  put(w + "/other/o.go", "package other\n\nconst N = 1\n", as());
  Scenario s;
  s.folders = {w + "/m"};
  s.open = {w + "/m/m.go"};
  s.defs = {{w + "/m/m.go", 4, 28}};
  same_as_bare(s);
}

TEST_P(WorkspaceFolders, SymlinkedFolder) {
  TempDir t(as());
  std::string real = t.path + "/real", link = t.path + "/link";
  mkdirs(as(), real);
  write_go_module(real, as());
  ASSERT_EQ(::symlink(real.c_str(), link.c_str()), 0);
  Scenario s;
  s.folders = {link};
  s.open = {link + "/main.go"};
  s.defs = {{link + "/main.go", 10, 15}};
  s.refs = {{link + "/main.go", 6, 17}};
  s.break_files = {link + "/main.go"};
  same_as_bare(s);
}

TEST_P(WorkspaceFolders, GopathMode) {
  TempDir t(as());
  std::string gp = t.path + "/gopath";
  std::string a = gp + "/src/example.com/a";
  put(a + "/a.go", "package a\n\nimport \"example.com/b\"\n\nfunc A() string { return b.Hello() }\n", as());
  put(gp + "/src/example.com/b/b.go", "package b\n\nfunc Hello() string { return \"hi\" }\n", as());
  Scenario s;
  s.folders = {a};
  s.env = {{"GO111MODULE", "off"}, {"GOPATH", gp}};
  s.open = {a + "/a.go"};
  s.defs = {{a + "/a.go", 4, 29}};
  same_as_bare(s);
}

// A single file, no folder (rootUri null): the editor starts the server in the file's
// directory, which is inside a module; its module root is bound.
TEST_P(WorkspaceFolders, SingleFileWithNoFolder) {
  TempDir t(as());
  std::string m = t.path + "/mod";
  put(m + "/go.mod", "module example.com/m\n\ngo 1.22\n", as());
  put(m + "/lib.go", "package m\n\nfunc Lib() int { return 1 }\n", as());
  put(m + "/cmd/x.go", "package cmd\n\nimport \"example.com/m\"\n\nvar X = m.Lib()\n", as());
  Scenario s;
  s.cwd = m + "/cmd";
  s.open = {m + "/cmd/x.go"};
  s.defs = {{m + "/cmd/x.go", 4, 11}};
  same_as_bare(s);
}

}  // namespace
}  // namespace gsb::test
