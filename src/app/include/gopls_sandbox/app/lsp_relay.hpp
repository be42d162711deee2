// Issue 13: the LSP server mode's stdio. The launcher has read the client's first frame (the
// initialize request) to decide what to bind; LspRelay hands those bytes to the program first
// and then splices the rest of stdin through (no per-message work), or, with a folder hook
// (issue 13.2), copies it frame by frame to hold a didChangeWorkspaceFolders that adds folders.
// The program's stdout always goes through a relay that forwards whole frames only, checked by
// the server->client guard (core/lsp_guard.hpp: a workspace/applyEdit or window/showDocument
// forged by code inside through /proc/<gopls>/fd/1 is withheld and answered on the program's
// stdin, between two of the client's frames); with client notifications on, it also inserts
// window/showMessage frames between two frames (never inside one).
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gopls_sandbox/core/lsp_guard.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::app {

class LspRelay {
 public:
  // `prefix`: bytes already read from client_in. `inject`: relay stdout (for notify()).
  static Result<std::unique_ptr<LspRelay>> create(std::string prefix, bool inject, int client_in = 0,
                                                  int client_out = 1);
  ~LspRelay();
  LspRelay(const LspRelay&) = delete;
  LspRelay& operator=(const LspRelay&) = delete;

  int child_stdin() const { return to_child_r_; }
  int child_stdout() const { return from_child_w_; }
  void close_child_ends();
  void start();
  void finish();
  // Queues a window/showMessage (Warning) for the client, once per `cause` per session;
  // thread-safe. Without injection: ignored.
  void notify(const std::string& cause, const std::string& text);
  size_t notified() const;
  // Issue 13.2: called on the input thread with the folders a workspace/didChangeWorkspaceFolders
  // adds, before that message is forwarded (it is held until the hook returns). Setting one
  // (before start) makes the input side split frames instead of splicing: bodies over 1 MiB
  // and input that is not LSP framing pass through unexamined; every byte stays as it came.
  using FolderHook = std::function<void(const std::vector<std::string>&)>;
  void set_folder_hook(FolderHook hook) { folder_hook_ = std::move(hook); }
  // The guard's folders, asked when a guarded message arrives (before start). Without it, every
  // applyEdit and every showDocument is refused.
  void set_guard_folders(std::function<core::LspGuardFolders()> f) { guard_folders_ = std::move(f); }
  // The client->server settings filter (core/lsp_settings_filter.hpp); on unless a test turns it off.
  void set_filter_settings(bool on) { filter_settings_ = on; }
  // Messages the guard withheld (for tests and the exit summary).
  size_t refused() const;

 private:
  LspRelay() = default;
  void pump_in();
  bool pump_in_framed();  // false: hand the rest to the splice loop (not LSP framing)
  void pump_out();
  void flush_pending_locked_out();
  void flush_replies();  // the guard's answers to the program, at a frame boundary of its input
  void refuse(const core::LspServerFilter::Refusal& r);  // stderr and one notification per method

  std::string prefix_;
  bool inject_ = false;
  bool filter_settings_ = true;
  int client_in_ = 0, client_out_ = 1;
  int to_child_r_ = -1, to_child_w_ = -1;
  int from_child_r_ = -1, from_child_w_ = -1;
  int stop_fd_ = -1, wake_fd_ = -1, reply_fd_ = -1;
  FolderHook folder_hook_;
  std::function<core::LspGuardFolders()> guard_folders_;
  std::thread in_, out_;
  bool started_ = false, finished_ = false;

  mutable std::mutex mu_;
  std::set<std::string> causes_;
  std::vector<std::string> pending_;  // frames to inject
  size_t sent_ = 0;
  std::vector<std::string> replies_;  // response frames for the program (refused requests)
  size_t refused_ = 0;
  bool out_eof_ = false;
  std::condition_variable out_cv_;  // finish() waits for pump_out's end of stream
};

// GOPLS_SANDBOX_NOTIFY_CLIENT / --notify-client: "on" (default) or "off".
bool notify_client_enabled(const std::string& cli_value, const std::string& env_value);

}  // namespace gsb::app
