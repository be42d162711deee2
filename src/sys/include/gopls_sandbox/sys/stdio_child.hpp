// A child process whose stdin, stdout and stderr are pipes to us: what an editor does when it
// starts a language server. The LSP client's transport (sys/lsp_client.hpp) for `doctor`'s startup
// reproduction; stderr is collected on the side (its tail), the exit seen through a pidfd.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gopls_sandbox/core/result.hpp"
#include "gopls_sandbox/sys/lsp_client.hpp"

namespace gsb::sys {

struct StdioChildSpec {
  std::string exe;                // execve'd as is (e.g. /proc/self/exe)
  std::vector<std::string> argv;  // argv[0] included
  std::vector<std::string> env;   // NAME=VALUE
  std::string cwd;                // the child's working directory (exit 121 when chdir fails)
  // The child exits 126 when execve fails. SIGPIPE is reset to its default in the child.
};

class StdioChild final : public LspTransport {
 public:
  using Clock = std::chrono::steady_clock;
  // fork + execve; the pipes are CLOEXEC on our side. Errors name the call (pipe2, fork).
  static Result<std::unique_ptr<StdioChild>> start(const StdioChildSpec& spec);
  ~StdioChild() override;  // a child still running is killed (SIGKILL) and reaped
  StdioChild(const StdioChild&) = delete;
  StdioChild& operator=(const StdioChild&) = delete;

  // LspTransport: stdin writes (false once stdin is closed or the reader is gone: EPIPE needs
  // SIGPIPE ignored in the caller); stdout reads, stderr and the exit handled meanwhile.
  // Closed: stdout is at EOF and the child has exited.
  bool write(std::string_view bytes) override;
  Read read(std::string& out, Clock::time_point deadline) override;

  void close_stdin();
  // Drains stdout (discarded) and stderr until the child exits or the deadline; true when exited.
  bool wait_exit(Clock::time_point deadline);
  // SIGKILL and wait (no-op when it has exited).
  void kill_and_reap();
  // After the exit: stderr until EOF (every holder of the pipe gone) or the deadline.
  void drain_stderr(Clock::time_point deadline);

  bool exited() const { return exited_; }
  int exit_status() const { return status_; }  // WEXITSTATUS, or 128 + the signal; -1 while running
  Clock::time_point exited_at() const { return exited_at_; }
  // The last 32 KiB or more of stderr.
  const std::string& stderr_text() const { return err_buf_; }

 private:
  StdioChild() = default;
  enum Poll { GotOut, GotNothing, Failed };
  // One poll over stdout, stderr and the pidfd; stdout bytes go to `out` (when non-null).
  Poll poll_once(std::string* out, Clock::time_point deadline);
  void reap(bool block);
  void close_fd(int& fd);

  pid_t pid_ = -1;
  int in_ = -1, out_ = -1, err_ = -1, pidfd_ = -1;
  bool exited_ = false;
  int status_ = -1;
  Clock::time_point exited_at_{};
  std::string err_buf_;
};

}  // namespace gsb::sys
