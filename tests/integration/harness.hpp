// Integration-test harness: spawn the real launcher (as root or as an unprivileged user),
// talk to it over pipes with deadlines (poll, never sleep), and set up Go workspaces.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "skip.hpp"

namespace gsb::test {


enum class As { Root, User };
std::string as_name(As a);

constexpr const char* kTestUser = "gsbtest";

struct World {
  std::string bin_dir;        // world-readable copy of the launcher and helpers
  std::string launcher;       // bin_dir/gopls-sandbox
  std::string helper(const std::string& name) const { return bin_dir + "/" + name; }
  uid_t user_uid = 0;
  gid_t user_gid = 0;
  std::string user_home;
  std::string why_unavailable;  // non-empty when the unprivileged user cannot be used
};
// Created once per test binary: copies binaries, creates the test user (as root).
const World& world();

// A temporary directory owned by the runner (root or the test user), removed at destruction.
struct TempDir {
  explicit TempDir(As as, const std::string& tag = "ws");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  std::string path;
};

// A module that needs only the standard library.
void write_go_module(const std::string& dir, As as);
void write_file(const std::string& path, const std::string& data, As as = As::Root, unsigned mode = 0644);
std::string read_file(const std::string& path);

struct SpawnOptions {
  std::string cwd;
  std::map<std::string, std::string> env;  // added/overridden on top of the base environment
  bool pipe_stdin = true;
};

// A running process with pipes to its stdio.
class Proc {
 public:
  Proc() = default;
  Proc(Proc&&) noexcept;
  Proc& operator=(Proc&&) noexcept;
  ~Proc();
  pid_t pid = -1;
  int in = -1, out = -1, err = -1;
  std::string out_buf, err_buf;
  void close_stdin();
  bool write_all(const std::string& data);
  // Reads whatever is available on stdout/stderr until `pred(out_buf)` or the deadline.
  bool read_until(const std::function<bool(const std::string&)>& pred, std::chrono::milliseconds timeout);
  // Wait for exit (draining output); returns the exit status (128+sig when killed) or -1 on timeout.
  int wait(std::chrono::milliseconds timeout);
  bool exited = false;
  int status = -1;
};

// argv[0] is the launcher (or any program); run as `as`.
Proc spawn(As as, const std::vector<std::string>& argv, const SpawnOptions& opts = {});

struct Output {
  int status = -1;
  std::string out, err;
};
Output run(As as, const std::vector<std::string>& argv, const SpawnOptions& opts = {},
           std::chrono::milliseconds timeout = std::chrono::seconds(120));

// Host pids of `root` and all its descendants (from /proc/*/task/*/children).
std::vector<pid_t> process_tree(pid_t root);
// Waits until every pid has exited (pidfd + poll). Returns those still alive at the deadline.
std::vector<pid_t> wait_gone(const std::vector<pid_t>& pids, std::chrono::milliseconds timeout);

std::string shell_quote(const std::string& s);

}  // namespace gsb::test
