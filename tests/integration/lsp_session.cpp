#include "lsp_session.hpp"

#include <signal.h>

#include "gopls_sandbox/core/lsp_framing.hpp"
#include "gopls_sandbox/core/lsp_initialize.hpp"
#include "lsp_client.hpp"

namespace gsb::test {

void full_lsp_session(As as, const LspSessionOptions& opts, LspSessionResult* out) {
  const World& w = world();
  TempDir tmp(as);
  struct {
    std::string path;
  } ws{opts.workspace.empty() ? tmp.path : opts.workspace};
  write_go_module(ws.path, as);
  const std::string uri = "file://" + ws.path + "/main.go";
  const std::string text = read_file(ws.path + "/main.go");

  std::vector<std::string> argv = {w.launcher};
  argv.insert(argv.end(), opts.launcher_args.begin(), opts.launcher_args.end());
  if (!opts.command.empty()) argv = opts.command;
  argv.insert(argv.end(), opts.gopls_args.begin(), opts.gopls_args.end());
  SpawnOptions so;
  so.cwd = ws.path;
  so.caches = opts.caches;
  if (opts.gen) opts.gen->apply(so.env);
  for (const auto& [k, v] : opts.env) so.env[k] = v;
  TempDir logdir(as, "log");
  std::string log = so.env.count("GOPLS_SANDBOX_LOG") ? so.env["GOPLS_SANDBOX_LOG"] : logdir.path + "/denials.jsonl";
  if (opts.command.empty()) so.env["GOPLS_SANDBOX_LOG"] = log;
  Proc p = spawn(as, argv, so);
  LspClient c(p);
  // On any failure: end the sandbox, drain gopls' stderr, and print it with the denial log.
  struct OnFailure {
    Proc& p;
    const std::string& log;
    const LspSessionOptions& opts;
    ~OnFailure() {
      if (!::testing::Test::HasFailure()) return;
      if (!p.exited) {
        ::kill(p.pid, SIGKILL);
        p.wait(std::chrono::seconds(10));
      }
      ADD_FAILURE() << "LSP session failed" << (opts.gen ? " with " + opts.gen->describe() : std::string())
                    << "\n--- denial log " << log << " ---\n" << read_file(log)
                    << "\n--- stderr (launcher and gopls) ---\n" << p.err_buf;
    }
  } on_failure{p, log, opts};

  json::Value init;
  init.set("processId", nullptr);
  init.set("rootUri", "file://" + ws.path);
  json::Value caps;
  json::Value td;
  json::Value pd;
  pd.set("relatedInformation", true);
  td.set("publishDiagnostics", pd);
  json::Value hover;
  json::Value fmts;
  fmts.push("markdown");
  fmts.push("plaintext");
  hover.set("contentFormat", fmts);
  td.set("hover", hover);
  json::Value ds;
  ds.set("hierarchicalDocumentSymbolSupport", true);
  td.set("documentSymbol", ds);
  caps.set("textDocument", td);
  json::Value wsc;
  wsc.set("configuration", true);
  wsc.set("workspaceFolders", true);
  caps.set("workspace", wsc);
  init.set("capabilities", caps);
  json::Value folders;
  json::Value f;
  f.set("uri", "file://" + ws.path);
  f.set("name", "hello");
  folders.push(f);
  init.set("workspaceFolders", folders);

  auto r = c.response(c.request("initialize", init));
  ASSERT_TRUE(r) << "no initialize response; stderr:\n" << p.err_buf;
  ASSERT_TRUE((*r)["result"]["capabilities"].is_object()) << r->dump();
  c.notify("initialized", json::Object{});

  json::Value open;
  json::Value item;
  item.set("uri", uri);
  item.set("languageId", "go");
  item.set("version", 1);
  item.set("text", text);
  open.set("textDocument", item);
  c.notify("textDocument/didOpen", open);

  auto for_uri = [&](const json::Value& n) { return n["params"]["uri"].as_string() == uri; };
  auto d0 = c.notification("textDocument/publishDiagnostics", for_uri);
  ASSERT_TRUE(d0) << "no diagnostics for main.go; stderr:\n" << p.err_buf;
  EXPECT_TRUE(d0->operator[]("params")["diagnostics"].as_array().empty()) << d0->dump();

  // Definition of Greet at its call site (line 10 "\tfmt.Println(g.Greet())", col 15).
  auto def = c.response(c.request("textDocument/definition", doc_pos(uri, 10, 15)));
  ASSERT_TRUE(def) << p.err_buf;
  const json::Value& loc = (*def)["result"].is_array() ? (*def)["result"][0] : (*def)["result"];
  EXPECT_EQ(loc["uri"].as_string(), uri) << def->dump();
  EXPECT_EQ(loc["range"]["start"]["line"].as_int(-1), 6) << def->dump();
  EXPECT_EQ(loc["range"]["start"]["character"].as_int(-1), 17) << def->dump();

  auto hov = c.response(c.request("textDocument/hover", doc_pos(uri, 9, 6)));
  ASSERT_TRUE(hov) << p.err_buf;
  EXPECT_NE((*hov)["result"]["contents"]["value"].as_string().find("struct"), std::string::npos) << hov->dump();

  auto comp = c.response(c.request("textDocument/completion", doc_pos(uri, 10, 15)));
  ASSERT_TRUE(comp) << p.err_buf;
  bool has_greet = false, has_name = false;
  const json::Value& items = (*comp)["result"].is_array() ? (*comp)["result"] : (*comp)["result"]["items"];
  for (const auto& it : items.as_array()) {
    has_greet |= it["label"].as_string() == "Greet";
    has_name |= it["label"].as_string() == "Name";
  }
  EXPECT_TRUE(has_greet && has_name) << comp->dump();

  if (opts.extended) {
    auto refs = c.response(c.request("textDocument/references", [&] {
      json::Value v = doc_pos(uri, 6, 17);
      json::Value ctx;
      ctx.set("includeDeclaration", true);
      v.set("context", ctx);
      return v;
    }()));
    ASSERT_TRUE(refs) << p.err_buf;
    // declaration, the call in main.go and the one in main_test.go
    EXPECT_EQ((*refs)["result"].as_array().size(), 3u) << refs->dump();

    auto syms = c.response(c.request("textDocument/documentSymbol", [&] {
      json::Value v;
      v.set("textDocument", text_doc(uri));
      return v;
    }()));
    ASSERT_TRUE(syms) << p.err_buf;
    std::string all = syms->dump();
    EXPECT_NE(all.find("\"Greeter\""), std::string::npos) << all;
    EXPECT_NE(all.find("\"main\""), std::string::npos) << all;

    auto fmt = c.response(c.request("textDocument/formatting", [&] {
      json::Value v;
      v.set("textDocument", text_doc(uri));
      json::Value o;
      o.set("tabSize", 4);
      o.set("insertSpaces", false);
      v.set("options", o);
      return v;
    }()));
    ASSERT_TRUE(fmt) << p.err_buf;
    EXPECT_FALSE((*fmt).find("error")) << fmt->dump();  // already gofmt'ed: no edits, no error

    auto ren = c.response(c.request("textDocument/rename", [&] {
      json::Value v = doc_pos(uri, 6, 17);
      v.set("newName", "Hello");
      return v;
    }()));
    ASSERT_TRUE(ren) << p.err_buf;
    std::string rd = ren->dump();
    EXPECT_NE(rd.find("Hello"), std::string::npos) << rd;
  }

  // Introduce a type error; the diagnostic must appear.
  json::Value change;
  json::Value vdoc;
  vdoc.set("uri", uri);
  vdoc.set("version", 2);
  change.set("textDocument", vdoc);
  json::Value changes;
  json::Value whole;
  std::string broken = text;
  broken.replace(broken.find("g := Greeter{Name: \"world\"}"), std::string("g := Greeter{Name: \"world\"}").size(),
                 "var g Greeter = 42");
  whole.set("text", broken);
  changes.push(whole);
  change.set("contentChanges", changes);
  c.notify("textDocument/didChange", change);
  auto d1 = c.notification("textDocument/publishDiagnostics", [&](const json::Value& n) {
    return for_uri(n) && !n["params"]["diagnostics"].as_array().empty();
  });
  ASSERT_TRUE(d1) << "no diagnostic after the type error; stderr:\n" << p.err_buf;
  EXPECT_EQ((*d1)["params"]["diagnostics"][0]["range"]["start"]["line"].as_int(-1), 9) << d1->dump();

  if (opts.before_shutdown) opts.before_shutdown(p);
  auto sd = c.response(c.request("shutdown", nullptr));
  ASSERT_TRUE(sd) << p.err_buf;
  c.notify("exit", nullptr);
  p.close_stdin();
  int st = p.wait(std::chrono::seconds(30));
  std::string denials = read_file(log);
  if (out) {
    out->exit_status = st;
    out->stderr_text = p.err_buf;
    out->denial_log = denials;
  }
  EXPECT_EQ(st, 0) << "stderr:\n" << p.err_buf;
  if (opts.command.empty() && opts.expect_no_denials) {
    EXPECT_EQ(denials, "") << "refused during the LSP session";
  }
}

std::string scripted_server_stream() {
  std::string big = "{\"jsonrpc\":\"2.0\",\"method\":\"x/big\",\"params\":\"" + std::string(200000, 'a') + "\"}";
  return core::lsp_frame(big) + core::lsp_frame("{\"jsonrpc\":\"2.0\",\"method\":\"x/small\",\"params\":1}") +
         core::lsp_frame("{\"jsonrpc\":\"2.0\",\"method\":\"x/last\",\"params\":2}");
}

std::vector<std::string> frames_of(const std::string& s) {
  std::vector<std::string> out;
  size_t off = 0;
  while (off < s.size()) {
    auto f = core::scan_first_frame(std::string_view(s).substr(off));
    if (f.status != core::FirstFrame::Complete) {
      ADD_FAILURE() << "torn frame at " << off << " of " << s.size();
      break;
    }
    out.emplace_back(s, off, f.end);
    off += f.end;
  }
  return out;
}

ScriptedRun run_scripted_server(As as, const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                                const std::string& ws) {
  SpawnOptions so;
  so.cwd = "/";
  so.env = env;
  Proc p = spawn(as, argv, so);
  p.write_all(core::lsp_frame("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"rootUri\":\"file://" +
                              ws + "\"}}"));
  // The server's last frame, wherever it is: the refusal provoked just before it is reported
  // asynchronously, so its window/showMessage may be relayed after it (CI saw that order).
  const std::string last = core::lsp_frame("{\"jsonrpc\":\"2.0\",\"method\":\"x/last\",\"params\":2}");
  bool got = p.read_until([&](const std::string& s) { return s.find(last) != std::string::npos; },
                          std::chrono::seconds(60));
  EXPECT_TRUE(got) << p.err_buf;
  // The last refusal may still be on its way: end the session, then collect everything.
  p.close_stdin();
  ScriptedRun r;
  r.status = p.wait(std::chrono::seconds(30));
  r.out = p.out_buf;
  r.err = p.err_buf;
  return r;
}

void split_relayed(const std::string& out, std::string* rest, std::vector<std::string>* shown) {
  for (const auto& f : frames_of(out)) {
    if (f.find("\"window/showMessage\"") != std::string::npos && f.size() < 4096) shown->push_back(f);
    else *rest += f;
  }
}

}  // namespace gsb::test
