// Issue 13: the sandbox follows what the editor opens — the folders of `initialize` (started in
// cwd /), and what Go needs outside them (go.work in the parent, replace ../x, GOPATH mode, a
// symlinked folder, a folder inside a module) — each giving the same answers as bare gopls.
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

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
  // Issue 13.2: then each batch is added with one workspace/didChangeWorkspaceFolders, and the
  // `later` queries run (in the added folders).
  std::vector<std::vector<std::string>> added;
  struct Work {
    std::vector<std::string> open;
    std::vector<Query> defs, refs;
    std::vector<std::string> break_files;
  } later;
};

json::Value folder_list(const std::vector<std::string>& folders) {
  json::Value fs;
  fs.array();
  for (const auto& f : folders) {
    json::Value o;
    o.set("uri", "file://" + f);
    o.set("name", f.substr(f.rfind('/') + 1));
    fs.push(o);
  }
  return fs;
}

json::Value folders_change(const std::vector<std::string>& added, const std::vector<std::string>& removed = {}) {
  json::Value ev, params;
  ev.set("added", folder_list(added));
  ev.set("removed", folder_list(removed));
  params.set("event", ev);
  return params;
}

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
  int version = 2;
  auto work = [&](const std::vector<std::string>& opens, const std::vector<Query>& defs, const std::vector<Query>& refs,
                  const std::vector<std::string>& breaks) {
    for (const auto& f : opens) {
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
    while (diag.size() < opens.size()) {
      auto d = c.notification("textDocument/publishDiagnostics", [&](const json::Value& n) {
        for (const auto& f : opens) {
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
    for (const auto& f : opens)
      a.lines.push_back("diagnostics " + f + ":" + (diag.count(f) ? diag[f] : std::string(" none published")));
    for (const auto& q : defs) {
      auto d = c.response(c.request("textDocument/definition", doc_pos(uri_of(q.file), q.line, q.ch)));
      a.lines.push_back("definition " + q.file + ":" + std::to_string(q.line) + ":" + std::to_string(q.ch) + " -> " +
                        (d ? loc_string_list((*d)["result"]).dump() + ((*d).find("error") ? (*d)["error"].dump() : "")
                           : "no response"));
    }
    for (const auto& q : refs) {
      json::Value v = doc_pos(uri_of(q.file), q.line, q.ch);
      json::Value ctx;
      ctx.set("includeDeclaration", true);
      v.set("context", ctx);
      auto d = c.response(c.request("textDocument/references", v));
      a.lines.push_back("references " + q.file + ":" + std::to_string(q.line) + ":" + std::to_string(q.ch) + " -> " +
                        (d ? loc_string_list((*d)["result"]).dump() : "no response"));
    }
    for (const auto& f : breaks) {
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
  };
  work(s.open, s.defs, s.refs, s.break_files);
  for (const auto& batch : s.added) c.notify("workspace/didChangeWorkspaceFolders", folders_change(batch));
  if (!s.added.empty()) work(s.later.open, s.later.defs, s.later.refs, s.later.break_files);
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
    for (const auto& f : s.later.open) EXPECT_NE(all.find("diagnostics " + f + ":\n"), std::string::npos) << all;
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

// Issue 13.2: then a third and a fourth folder, added with didChangeWorkspaceFolders (two
// messages), work the same: mounted into the running sandbox before gopls hears of them.
TEST_P(WorkspaceFolders, TwoFoldersThenTwoAddedWithDidChangeWorkspaceFolders) {
  TempDir t(as());
  std::vector<std::string> f;
  for (const char* n : {"alpha", "beta", "gamma", "delta"}) {
    f.push_back(t.path + "/" + n);
    mkdirs(as(), f.back());
    write_go_module(f.back(), as());
  }
  Scenario s;
  s.cwd = "/";
  s.folders = {f[0], f[1]};
  s.open = {f[0] + "/main.go"};
  s.defs = {{f[0] + "/main.go", 10, 15}};
  s.added = {{f[2]}, {f[3]}};
  s.later.open = {f[2] + "/main.go", f[3] + "/main.go"};
  s.later.defs = {{f[2] + "/main.go", 10, 15}, {f[3] + "/main.go", 10, 15}};
  s.later.refs = {{f[2] + "/main.go", 6, 17}, {f[3] + "/main.go", 6, 17}};
  s.later.break_files = {f[2] + "/main.go", f[3] + "/main.go"};
  same_as_bare(s);
  Answers sand = session(as(), {world().launcher, "run", "-v", "--"}, s, gen());
  std::string all = joined(sand);
  for (int i : {2, 3})
    EXPECT_NE(all.find("-> [\"file://" + f[i] + "/main.go:6:17\"]"), std::string::npos) << all << sand.err;
  EXPECT_NE(sand.err.find("workspace folder " + f[2] + " attached"), std::string::npos) << sand.err;
}

// Issue 13.2, from inside (tests/helpers/lsp_attach_probe stands in for gopls and tries, in each
// folder it is told of, what code inside could): an added folder is visible when the message
// arrives and writable, its .git is read-only (EROFS) as in the initial workspace; /, $HOME, /etc, a
// folder above an open one and a folder whose path is a symlink by the time it is opened are
// refused with one message each; a
// removed folder stays mounted until the server exits.
struct Probe {
  std::map<std::string, std::string> result;  // folder -> "stat=… git_config=… …"
  std::vector<std::string> messages;          // window/showMessage texts
  std::string err;
};

Probe probe_session(As as, const std::vector<std::string>& argv, const std::vector<std::string>& initial,
                    const std::vector<std::vector<std::string>>& batches, const std::vector<std::string>& removed,
                    const std::map<std::string, std::string>& env = {}) {
  Probe out;
  SpawnOptions so;
  so.cwd = "/";
  for (const auto& [k, v] : env) so.env[k] = v;
  Proc p = spawn(as, argv, so);
  LspClient c(p);
  json::Value init;
  init.set("processId", nullptr);
  init.set("rootUri", "file://" + initial[0]);
  init.set("workspaceFolders", folder_list(initial));
  init.set("capabilities", json::Object{});
  auto r = c.response(c.request("initialize", init));
  if (!r) {
    out.err = "no initialize response\n" + p.err_buf;
    return out;
  }
  c.notify("initialized", json::Object{});
  size_t want = 0;
  for (const auto& b : batches) {
    c.notify("workspace/didChangeWorkspaceFolders", folders_change(b));
    want += b.size();
  }
  if (!removed.empty()) {
    c.notify("workspace/didChangeWorkspaceFolders", folders_change({}, removed));
    want += removed.size();
  }
  size_t got = 0;
  while (got < want) {
    auto n = c.notification("probe/result", [&](const json::Value& v) {
      std::string t = v["params"].as_string();
      out.result[t.substr(0, t.find(' '))] += (out.result.count(t.substr(0, t.find(' '))) ? " | " : "") + t.substr(t.find(' ') + 1);
      return true;
    });
    if (!n) break;
    ++got;
  }
  (void)c.response(c.request("shutdown", nullptr));
  c.notify("exit", nullptr);
  p.close_stdin();
  p.wait(std::chrono::seconds(30));
  // Everything the launcher injected (the server is gone: these return at end of output).
  while (auto m = c.notification("window/showMessage", [](const json::Value&) { return true; }, std::chrono::seconds(5)))
    out.messages.push_back((*m)["params"]["message"].as_string());
  out.err = p.err_buf;
  return out;
}

std::string all_of(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}
size_t count_with(const std::vector<std::string>& v, const std::string& needle) {
  return static_cast<size_t>(std::count_if(v.begin(), v.end(), [&](const std::string& s) { return s.find(needle) != std::string::npos; }));
}

class AttachFolders : public ::testing::TestWithParam<As> {
 protected:
  void SetUp() override {
    if (as() == As::User && !world().why_unavailable.empty()) GSB_SKIP_OR_FAIL(world().why_unavailable);
  }
  As as() const { return GetParam(); }
};
INSTANTIATE_TEST_SUITE_P(As, AttachFolders, ::testing::Values(As::Root, As::User),
                         [](const auto& info) { return as_name(info.param); });

TEST_P(AttachFolders, AddedFolderIsWritableItsGitReadOnlyAndHostileFoldersAreRefused) {
  TempDir t(as()), h(as(), "home");
  std::string a = t.path + "/alpha", g = t.path + "/gamma", real = t.path + "/real", link = t.path + "/link";
  for (const auto& d : {a, g + "/.git/hooks", real}) mkdirs(as(), d);
  write_file(g + "/.git/config", "[core]\n", as());
  ASSERT_EQ(::symlink(real.c_str(), link.c_str()), 0);
  // GOPLS_SANDBOX_TEST_ATTACH_AS_GIVEN: the launcher checks the path as given instead of its
  // real path — what it sees when a directory is swapped for a symlink after its check.
  std::vector<std::string> argv = {world().launcher, "run", "--gopls", world().helper("lsp_attach_probe")};
  Probe pr = probe_session(as(), argv, {a}, {{g}, {"/", h.path, t.path, "/etc"}, {link}}, {g},
                           {{"HOME", h.path}, {"GOPLS_SANDBOX_TEST_ATTACH_AS_GIVEN", "1"}});
  std::string ctx = all_of(pr.messages) + "--- stderr ---\n" + pr.err;
  EXPECT_EQ(pr.result[g], "stat=0 git_config=EROFS git_hook=EROFS write=0 | stat=0 git_config=EROFS git_hook=EROFS write=0")
      << ctx;  // (the second: after its removal, still mounted)
  EXPECT_EQ(pr.result[link].substr(0, 11), "stat=ENOENT") << pr.result[link] << "\n" << ctx;
  EXPECT_EQ(count_with(pr.messages, "workspace folder / was added but is not visible"), 1u) << ctx;
  EXPECT_EQ(count_with(pr.messages, "workspace folder " + h.path + " was added but is not visible"), 1u) << ctx;
  EXPECT_EQ(count_with(pr.messages, "workspace folder " + link + " was added but could not be attached"), 1u) << ctx;
  EXPECT_EQ(count_with(pr.messages, "workspace folder /etc was added but is not visible in the sandbox: it is a system "
                                    "directory (/etc)"), 1u) << ctx;
  // Above an open folder: it would cover that folder's read-only .git with the host's directory.
  EXPECT_EQ(count_with(pr.messages, "workspace folder " + t.path + " was added but is not visible in the sandbox: it "
                                    "contains " + a + " (workspace)"), 1u) << ctx;
  EXPECT_EQ(count_with(pr.messages, "a symbolic link in the path (refused)"), 1u) << ctx;
  EXPECT_EQ(count_with(pr.messages, "workspace folder " + g), 0u) << ctx;
  EXPECT_NE(pr.err.find("gopls-sandbox: workspace folder " + link), std::string::npos) << pr.err;
  // Nothing reached the host through the folder's .git.
  EXPECT_NE(::access((g + "/probe-written.txt").c_str(), F_OK), -1);
  EXPECT_EQ(::access((g + "/.git/hooks/probe-hook").c_str(), F_OK), -1);
  // The refused folders were not mounted: what the probe wrote there stayed inside.
  for (const auto& d : {h.path, t.path, real}) EXPECT_EQ(::access((d + "/probe-written.txt").c_str(), F_OK), -1) << d;
}

// A folder of initialize inside the module cache (a user browsing a dependency beside an untrusted
// repository) is not bound read-write from the host over the cache's copy-on-write view: code
// inside writes into the sandbox's layer, never into the host's module cache (issue 12). The
// editor is told why. (The probe runs when a didChangeWorkspaceFolders names the folder.)
TEST_P(AttachFolders, AnInitialFolderInsideTheModuleCacheIsNotBoundReadWrite) {
  TempDir t(as()), h(as(), "home");
  std::string a = t.path + "/alpha", mc = t.path + "/modcache", dep = mc + "/example.com/dep@v1.0.0";
  for (const auto& d : {a, dep}) mkdirs(as(), d);
  write_file(dep + "/go.mod", "module example.com/dep\n", as());
  std::vector<std::string> argv = {world().launcher, "run", "--gopls", world().helper("lsp_attach_probe")};
  Probe pr = probe_session(as(), argv, {a, dep}, {{dep}}, {}, {{"HOME", h.path}, {"GOMODCACHE", mc}});
  std::string ctx = all_of(pr.messages) + "--- stderr ---\n" + pr.err;
  ASSERT_TRUE(pr.result.count(dep)) << ctx;
  EXPECT_EQ(pr.result[dep].substr(0, 6), "stat=0") << pr.result[dep] << "\n" << ctx;  // visible through the view
  EXPECT_EQ(::access((dep + "/probe-written.txt").c_str(), F_OK), -1) << pr.result[dep] << "\n" << ctx;
  EXPECT_EQ(count_with(pr.messages, "not binding " + dep + " as a workspace: it is inside GOMODCACHE"), 1u) << ctx;
}

// A symlinked folder is mounted at the given and at the real path (as at start), once: the real
// path named in the same message is visible already.
TEST_P(AttachFolders, SymlinkedFolderIsMountedAtBothPaths) {
  TempDir t(as());
  std::string a = t.path + "/alpha", real = t.path + "/real", link = t.path + "/link";
  for (const auto& d : {a, real + "/.git/hooks"}) mkdirs(as(), d);
  write_file(real + "/.git/config", "[core]\n", as());
  ASSERT_EQ(::symlink(real.c_str(), link.c_str()), 0);
  std::vector<std::string> argv = {world().launcher, "run", "-v", "--gopls", world().helper("lsp_attach_probe")};
  Probe pr = probe_session(as(), argv, {a}, {{link, real}}, {});
  std::string ctx = all_of(pr.messages) + "--- stderr ---\n" + pr.err;
  EXPECT_EQ(pr.result[link], "stat=0 git_config=EROFS git_hook=EROFS write=0") << ctx;
  EXPECT_EQ(pr.result[real], "stat=0 git_config=EROFS git_hook=EROFS write=0") << ctx;
  EXPECT_EQ(::access((real + "/probe-written.txt").c_str(), F_OK), 0);
  EXPECT_NE(pr.err.find("workspace folder " + link + " attached"), std::string::npos) << ctx;
  EXPECT_EQ(pr.err.find("workspace folder " + real + " attached"), std::string::npos) << ctx;
  EXPECT_TRUE(pr.messages.empty()) << ctx;
}

// A mount point is created only on the sandbox's own tmpfs mounts: a folder whose parent inside
// is another bind (here --bind SRC:DST, where DST lacks the folder) is refused with a message,
// and nothing is written to SRC on the host. A folder inside a read-only bind is refused too.
TEST_P(AttachFolders, NoMountPointIsCreatedInsideAnotherBind) {
  TempDir t(as()), v(as(), "view");
  std::string a = t.path + "/alpha", src = t.path + "/src", view = v.path + "/view", sub = view + "/sub";
  std::string ro = t.path + "/ro", ro_sub = ro + "/sub";
  for (const auto& d : {a, src, sub, ro_sub}) mkdirs(as(), d);
  std::vector<std::string> argv = {world().launcher, "run", "--bind", src + ":" + view, "--ro-bind", ro, "--gopls",
                                   world().helper("lsp_attach_probe")};
  Probe pr = probe_session(as(), argv, {a}, {{sub}, {ro_sub}}, {});
  std::string ctx = all_of(pr.messages) + "--- stderr ---\n" + pr.err;
  EXPECT_EQ(count_with(pr.messages, "workspace folder " + sub + " was added but could not be attached to the sandbox: "
                                    "mount point " + sub + ": cannot create it: " + view + " is inside another mount"),
            1u) << ctx;
  EXPECT_EQ(pr.result[sub].substr(0, 11), "stat=ENOENT") << ctx;
  EXPECT_EQ(::access((src + "/sub").c_str(), F_OK), -1);
  // Nor is a folder mounted over what the sandbox shows read-only: it would become writable.
  EXPECT_EQ(count_with(pr.messages, "workspace folder " + ro_sub + " was added but is not visible in the sandbox: it "
                                    "is inside " + ro + " (--ro-bind), which the sandbox shows read-only"),
            1u) << ctx;
  EXPECT_EQ(pr.result[ro_sub], "stat=0 git_config=ENOENT git_hook=ENOENT write=EROFS") << ctx;
}

// A directory outside /tmp (the tests' temporary directories lie in /tmp, which Landlock allows
// anyway), owned by the runner (root or the test user), removed at destruction.
struct HostDir {
  HostDir(As as, const std::string& tag) {
    if (::mkdir("/opt", 0755) != 0 && errno != EEXIST) ADD_FAILURE() << "mkdir /opt: " << std::strerror(errno);
    std::string t = "/opt/gsb-it-" + tag + "-XXXXXX";
    if (!::mkdtemp(t.data())) {
      ADD_FAILURE() << "mkdtemp " << t << ": " << std::strerror(errno);
      return;
    }
    path = t;
    if (as == As::User && ::chown(path.c_str(), world().user_uid, world().user_gid) != 0)
      ADD_FAILURE() << "chown " << path << ": " << std::strerror(errno);
  }
  ~HostDir() {
    if (!path.empty() && std::system(("rm -rf " + shell_quote(path)).c_str()) != 0) ADD_FAILURE() << "rm -rf " << path;
  }
  HostDir(const HostDir&) = delete;
  std::string path;
};

// Landlock's rules are fixed when gopls starts (core/landlock_plan.hpp: add_landlock_spares). A
// folder beside a workspace (its parent is a spare) is usable; one beside no workspace is mounted
// and the user is told once to restart the language server.
TEST_P(AttachFolders, FolderBesideAWorkspaceWorksOneElsewhereSaysRestart) {
  if (::syscall(SYS_landlock_create_ruleset, nullptr, 0, 1) < 1) GSB_SKIP_OR_FAIL("no Landlock");
  HostDir d1(as(), "attach"), d2(as(), "attach");
  ASSERT_FALSE(d1.path.empty() || d2.path.empty());
  std::string o = d1.path, elsewhere = d2.path + "/delta";
  for (const auto& d : {o + "/alpha", o + "/beta", elsewhere}) mkdirs(as(), d);
  std::vector<std::string> argv = {world().launcher, "run", "--gopls", world().helper("lsp_attach_probe")};
  Probe pr = probe_session(as(), argv, {o + "/alpha"}, {{o + "/beta"}, {elsewhere}}, {});
  std::string ctx = all_of(pr.messages) + "--- stderr ---\n" + pr.err;
  EXPECT_EQ(pr.result[o + "/beta"], "stat=0 git_config=ENOENT git_hook=ENOENT write=0") << ctx;
  // Mounted (stat needs no Landlock right), but Landlock denies creating a file in it.
  EXPECT_EQ(pr.result[elsewhere], "stat=0 git_config=ENOENT git_hook=ENOENT write=EACCES") << ctx;
  EXPECT_EQ(count_with(pr.messages, "Landlock rules were fixed at start"), 1u) << ctx;
  EXPECT_EQ(count_with(pr.messages, "workspace folder " + elsewhere + " was added and mounted"), 1u) << ctx;
}

// Review (attack): a folder the editor adds is partly the attacker's choice — code inside can
// rewrite a multi-root `*.code-workspace` file lying in an open folder (it is not one of the
// protected names), and the editor then adds the folders it lists. The directories in $HOME that
// the host executes or trusts (~/.ssh: authorized_keys; ~/.config: autostart, systemd user units,
// the launcher's own config.toml; ~/.local/state/gopls-sandbox: every trust domain's cache layers;
// ~/bin on PATH) must not become writable inside.
TEST_P(AttachFolders, ReviewSecretDirectoriesInHomeAreRefused) {
  TempDir t(as()), h(as(), "home");
  std::string a = t.path + "/alpha", ssh = h.path + "/.ssh", cfg = h.path + "/.config/systemd/user",
              own = h.path + "/.config/gopls-sandbox", state = h.path + "/.local/state/gopls-sandbox",
              bin = h.path + "/bin";
  for (const auto& d : {a, ssh, cfg, own, state, bin}) mkdirs(as(), d);
  std::vector<std::string> argv = {world().launcher, "run", "--gopls", world().helper("lsp_attach_probe")};
  const char* path = std::getenv("PATH");
  Probe pr = probe_session(as(), argv, {a}, {{ssh}, {cfg}, {own, state}, {bin}}, {},
                           {{"HOME", h.path}, {"PATH", bin + ":" + (path ? path : "/usr/bin:/bin")}});
  std::string ctx = all_of(pr.messages) + "--- stderr ---\n" + pr.err;
  for (const auto& d : {ssh, cfg, own, state, bin}) {
    EXPECT_EQ(::access((d + "/probe-written.txt").c_str(), F_OK), -1) << d << " was writable inside\n" << ctx;
    EXPECT_EQ(count_with(pr.messages, "workspace folder " + d + " was added but is not visible"), 1u) << ctx;
  }
}

// Bind mounts in a mount namespace of the test's own (private: nothing reaches the host's), each
// unmounted before the directories holding them are removed; the test process aborts rather than
// let `rm -rf` descend into a bind of / that could not be unmounted.
struct PrivateBinds {
  PrivateBinds() {
    if (::unshare(CLONE_NEWNS) != 0) {
      ADD_FAILURE() << "unshare(CLONE_NEWNS): " << std::strerror(errno);
      return;
    }
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      ADD_FAILURE() << "mount --make-rprivate /: " << std::strerror(errno);
      return;
    }
    ok = true;
  }
  bool bind(const std::string& src, const std::string& dst) {
    if (!ok || ::mount(src.c_str(), dst.c_str(), nullptr, MS_BIND, nullptr) != 0) return false;
    dsts.push_back(dst);
    return true;
  }
  ~PrivateBinds() {
    for (auto it = dsts.rbegin(); it != dsts.rend(); ++it)
      if (::umount2(it->c_str(), MNT_DETACH) != 0) std::abort();
  }
  bool ok = false;
  std::vector<std::string> dsts;
};

// Review (attack): the refusals compared paths only, so / or the home bound at another path (a
// bind of / at /mnt/host) passed as a project. The launcher compares each folder (and each
// directory on its way) by device and inode with / and the homes: such a folder is refused as an
// initialize folder and as an added one, and one inside it (<bind of />/etc, <bind of home>/.ssh)
// as the directory it is.
TEST_P(AttachFolders, ReviewRootOrHomeBoundAtAnotherPathIsRefused) {
  TempDir t(as()), h(as(), "home");
  std::string a = t.path + "/alpha", root = t.path + "/hostroot", home = t.path + "/homebind";
  for (const auto& d : {a, root, home, h.path + "/.ssh"}) mkdirs(as(), d);
  PrivateBinds binds;  // (declared after the TempDirs: unmounted before they are removed)
  ASSERT_TRUE(binds.ok);
  ASSERT_TRUE(binds.bind("/", root)) << std::strerror(errno);
  ASSERT_TRUE(binds.bind(h.path, home)) << std::strerror(errno);
  std::vector<std::string> argv = {world().launcher, "run", "--gopls", world().helper("lsp_attach_probe")};
  Probe first = probe_session(as(), argv, {a, root, home}, {}, {}, {{"HOME", h.path}});
  std::string ctx = all_of(first.messages) + "--- stderr ---\n" + first.err;
  EXPECT_EQ(count_with(first.messages, "not binding " + root + " as the workspace"), 1u) << ctx;
  EXPECT_EQ(count_with(first.messages, "/ bound at another path (the whole host would be visible)"), 1u) << ctx;
  EXPECT_EQ(count_with(first.messages, "not binding " + home + " as the workspace"), 1u) << ctx;
  EXPECT_EQ(count_with(first.messages, "your home directory or above it"), 1u) << ctx;

  Probe pr = probe_session(as(), argv, {a}, {{root}, {home}, {root + "/etc"}, {home + "/.ssh"}}, {},
                           {{"HOME", h.path}});
  ctx = all_of(pr.messages) + "--- stderr ---\n" + pr.err;
  const std::string refused = " was added but is not visible in the sandbox: it is ";
  EXPECT_EQ(count_with(pr.messages, "workspace folder " + root + refused + "/ bound at another path"), 1u) << ctx;
  EXPECT_EQ(count_with(pr.messages, "workspace folder " + home + refused + "your home directory or above it"), 1u)
      << ctx;
  EXPECT_EQ(count_with(pr.messages, "workspace folder " + root + "/etc" + refused + "a system directory (/etc)"), 1u)
      << ctx;
  EXPECT_EQ(count_with(pr.messages, "workspace folder " + home + "/.ssh" + refused), 1u) << ctx;
  EXPECT_EQ(count_with(pr.messages, "a hidden directory of your home"), 1u) << ctx;
  for (const auto& d : {root, home, root + "/etc", home + "/.ssh"})
    EXPECT_EQ(pr.result[d].substr(0, 11), "stat=ENOENT") << d << ": " << pr.result[d] << "\n" << ctx;
  // Nothing was written on the host through them (removed if it was, for the next run).
  for (const std::string& d : {std::string(), std::string("/etc"), h.path, h.path + "/.ssh"}) {
    std::string f = d + "/probe-written.txt";
    EXPECT_EQ(::access(f.c_str(), F_OK), -1) << f << "\n" << ctx;
    ::unlink(f.c_str());
  }
}

// Review (pins a defended property): a folder and its parent added in one message. Each alone is
// accepted; the parent is mounted after the child and covers it. The child's .git stays read-only
// because the parent is cloned from the helper's private tree in which the child's protections are
// already mounted (sys/attach.cpp: one private copy for all requests) — keep it that way.
TEST_P(AttachFolders, ReviewChildAndParentInOneMessageKeepTheChildsGitReadOnly) {
  TempDir t(as());
  std::string a = t.path + "/alpha", parent = t.path + "/p", child = parent + "/child";
  for (const auto& d : {a, child + "/.git/hooks"}) mkdirs(as(), d);
  write_file(child + "/.git/config", "[core]\n", as());
  std::vector<std::string> argv = {world().launcher, "run", "--gopls", world().helper("lsp_attach_probe")};
  Probe pr = probe_session(as(), argv, {a}, {{child, parent}}, {});
  std::string ctx = all_of(pr.messages) + "--- stderr ---\n" + pr.err;
  EXPECT_EQ(pr.result[child].find("git_config=0"), std::string::npos) << pr.result[child] << "\n" << ctx;
  EXPECT_EQ(::access((child + "/.git/hooks/probe-hook").c_str(), F_OK), -1) << ctx;
}

// Review (pins a defended property): the URI as the editor may send it is decoded before the
// checks — percent-encoded dots climbing to /etc are refused as /etc; a URI with a host names no
// local folder and nothing is mounted for it.
TEST_P(AttachFolders, ReviewEncodedUrisAreCheckedDecoded) {
  TempDir t(as());
  std::string a = t.path + "/alpha", b = t.path + "/beta";
  for (const auto& d : {a, b}) mkdirs(as(), d);
  std::vector<std::string> argv = {world().launcher, "run", "-v", "--gopls", world().helper("lsp_attach_probe")};
  std::string climb = t.path + "/alpha/%2e%2e/%2E%2E" + std::string(t.path.size(), '/') + "/../../../../../../../../etc";
  Probe pr = probe_session(as(), argv, {a}, {{climb}, {"/" + b.substr(1)}}, {});
  std::string ctx = all_of(pr.messages) + "--- stderr ---\n" + pr.err;
  EXPECT_EQ(count_with(pr.messages, "workspace folder /etc was added but is not visible in the sandbox: it is a system "
                                    "directory (/etc)"), 1u) << ctx;
  EXPECT_NE(pr.err.find("workspace folder " + b + " attached"), std::string::npos) << ctx;
}

// Review (pins a defended property): the Landlock spare (every right beneath the parent of an
// open folder's mount point) gives nothing on the host: that parent inside is the sandbox's own
// read-only root, so code inside can create nothing there and the host's parent stays untouched.
// (The probe also probes a *removed* folder: here the parent, never added.)
TEST_P(AttachFolders, ReviewTheSpareParentIsNotTheHostsDirectory) {
  HostDir d1(as(), "spare");
  ASSERT_FALSE(d1.path.empty());
  std::string o = d1.path;
  mkdirs(as(), o + "/alpha");
  std::vector<std::string> argv = {world().launcher, "run", "--gopls", world().helper("lsp_attach_probe")};
  Probe pr = probe_session(as(), argv, {o + "/alpha"}, {}, {o});
  bool written = ::access((o + "/probe-written.txt").c_str(), F_OK) == 0;
  std::string ctx = all_of(pr.messages) + "--- stderr ---\n" + pr.err;
  EXPECT_EQ(pr.result[o], "stat=0 git_config=ENOENT git_hook=ENOENT write=EROFS") << ctx;
  EXPECT_FALSE(written) << ctx;
}

// Landlock-only mode (tests/helpers/no_userns: no user namespace at all, or one whose mounts are
// refused after pid 1 sent its descriptors): nothing to attach to; said.
TEST_P(AttachFolders, LandlockOnlyModeSaysRestart) {
  TempDir t(as());
  std::string a = t.path + "/alpha", g = t.path + "/gamma";
  for (const auto& d : {a, g}) mkdirs(as(), d);
  for (const char* mode : {"clone", "mount"}) {
    std::vector<std::string> argv = {world().helper("no_userns"), mode, world().launcher, "run", "--gopls",
                                     world().helper("lsp_attach_probe")};
    Probe pr = probe_session(as(), argv, {a}, {{g}}, {});
    std::string ctx = std::string(mode) + "\n" + all_of(pr.messages) + "--- stderr ---\n" + pr.err;
    EXPECT_EQ(count_with(pr.messages, "restart the language server"), 1u) << ctx;
    EXPECT_NE(pr.err.find("not visible until the language server restarts"), std::string::npos) << ctx;
    EXPECT_EQ(pr.err.find(" attached"), std::string::npos) << ctx;
  }
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
