// The end-to-end LSP session every sandbox configuration must pass.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness.hpp"

namespace gsb::test {

struct LspSessionOptions {
  std::vector<std::string> launcher_args;  // before any gopls args (e.g. {"run", "--profile", "gopls", "--"})
  std::map<std::string, std::string> env;
  bool extended = false;  // also rename, references, formatting, documentSymbol
  std::vector<std::string> command;  // run this instead of the launcher (e.g. strace -f gopls)
  std::string workspace;             // use this directory (default: a fresh temp dir)
  // The gopls generation (and its go) to run; null = the launcher's default (first gopls/go on
  // the harness PATH, i.e. Debian's). Applied before env, so env still overrides.
  const GoplsGen* gen = nullptr;
  // Through the launcher (command empty): the denial log goes to a private file (unless env sets
  // GOPLS_SANDBOX_LOG) and must stay empty. A failing session prints it and gopls' stderr.
  bool expect_no_denials = true;
  std::shared_ptr<GoCaches> caches;  // null: fresh private caches for this session
  std::vector<std::string> gopls_args;  // after launcher_args (e.g. {"-remote=auto"})
  // Called with the running process after the last request, before shutdown (e.g. to record
  // its process tree).
  std::function<void(Proc&)> before_shutdown;
};

struct LspSessionResult {
  int exit_status = -1;
  std::string stderr_text;
  std::string denial_log;  // the log's content (empty: nothing refused)
};

// Drives initialize -> ... -> exit against a fresh module; reports failures with gtest
// assertions (call with ASSERT_NO_FATAL_FAILURE).
void full_lsp_session(As as, const LspSessionOptions& opts, LspSessionResult* out);

// The scripted stand-in servers of the relay tests (tests/helpers/lsp_script.h:
// lsp_fake_server, lsp_net_server).
std::string scripted_server_stream();  // the bytes every one of them writes
// Splits a stream into frames (header + body); a torn frame fails the test.
std::vector<std::string> frames_of(const std::string& s);
struct ScriptedRun {
  std::string out, err;
  int status = -1;
};
// Runs argv (the launcher with --gopls HELPER) in "/", sends an initialize naming `ws`, reads
// until the script's last frame, then ends the session and collects everything.
ScriptedRun run_scripted_server(As as, const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                                const std::string& ws);
// A relayed stream apart: the launcher's window/showMessage frames, and every other byte.
void split_relayed(const std::string& out, std::string* rest, std::vector<std::string>* shown);

}  // namespace gsb::test
