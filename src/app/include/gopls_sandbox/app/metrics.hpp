// `--metrics FILE`: relay the LSP stdio between the editor and the sandboxed server instead of
// handing the descriptors over, observing the framing in both directions (bytes are forwarded
// unchanged, before they are parsed) and keeping a Prometheus text file up to date (temp file +
// atomic rename, at most about once a second and at exit).
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gopls_sandbox/core/lsp_guard.hpp"
#include "gopls_sandbox/core/lsp_metrics.hpp"
#include "gopls_sandbox/core/lsp_settings_filter.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::app {

class MetricsProxy {
 public:
  // Creates the pipes; the sandboxed program's stdin/stdout become child_stdin()/child_stdout().
  static Result<std::unique_ptr<MetricsProxy>> create(const std::string& metrics_file, int client_in = 0,
                                                      int client_out = 1);
  ~MetricsProxy();
  MetricsProxy(const MetricsProxy&) = delete;
  MetricsProxy& operator=(const MetricsProxy&) = delete;

  int child_stdin() const;   // read end the program reads its stdin from
  int child_stdout() const;  // write end the program writes its stdout to
  void close_child_ends();   // in the launcher, after the sandbox was cloned
  void start();              // relay threads (client_in -> program, program -> client_out)
  void finish(int exit_status);  // after the program exited: drain, write the final file, join

  // The server->client guard (core/lsp_guard.hpp; before start): the program's output is then
  // forwarded in whole frames, a forged applyEdit/showDocument withheld and answered on its
  // stdin between two of the client's frames. Without it, bytes pass unchanged.
  void set_guard_folders(std::function<core::LspGuardFolders()> f) { guard_folders_ = std::move(f); }

  // The current registry rendered (for tests and the final summary).
  std::string snapshot() const;
  // Writes the file now; returns 0 or an errno.
  int write_now();

 private:
  MetricsProxy() = default;
  void relay(int from, int to, core::LspDirection dir, bool close_to_at_eof);
  void writer_loop();
  void mark_dirty();
  std::string tmp_path() const;

  std::string path_;
  int client_in_ = 0, client_out_ = 1;
  int to_child_r_ = -1, to_child_w_ = -1;      // program's stdin pipe
  int from_child_r_ = -1, from_child_w_ = -1;  // program's stdout pipe
  int stop_fd_ = -1;                           // eventfd: stop relaying
  int reply_fd_ = -1;                          // eventfd: the guard has answers for the program
  std::function<core::LspGuardFolders()> guard_folders_;
  // The client's input through the settings filter (core/lsp_settings_filter.hpp).
  std::unique_ptr<core::LspClientSettingsFilter> settings_ = std::make_unique<core::LspClientSettingsFilter>();
  std::vector<std::string> replies_;           // (mu_) response frames for the program
  std::thread c2s_, s2c_, writer_;
  bool started_ = false, finished_ = false;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  core::LspMetrics metrics_;
  bool dirty_ = false, stopping_ = false, s2c_eof_ = false;
  std::mutex file_mu_;  // serialises file writes
};

}  // namespace gsb::app
