#include "gopls_sandbox/sys/stdio_child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "gopls_sandbox/sys/io.hpp"

namespace gsb::sys {

Result<std::unique_ptr<StdioChild>> StdioChild::start(const StdioChildSpec& spec) {
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  auto close_all = [&] {
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]})
      if (fd >= 0) ::close(fd);
  };
  if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC)) {
    int e = errno;
    close_all();
    return Error::sys("the server's stdio", "pipe2", e);
  }
  // Everything execve needs is built before fork: the child only makes system calls.
  std::vector<std::string> argv = spec.argv, env = spec.env;
  std::vector<char*> av, ev;
  for (auto& a : argv) av.push_back(a.data());
  av.push_back(nullptr);
  for (auto& e : env) ev.push_back(e.data());
  ev.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    close_all();
    return Error::sys(spec.exe, "fork", e);
  }
  if (pid == 0) {
    ::signal(SIGPIPE, SIG_DFL);
    if (::dup2(in[0], 0) < 0 || ::dup2(out[1], 1) < 0 || ::dup2(err[1], 2) < 0) ::_exit(126);
    if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) ::_exit(121);
    ::execve(spec.exe.c_str(), av.data(), ev.data());
    ::_exit(126);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  std::unique_ptr<StdioChild> c(new StdioChild());
  c->pid_ = pid;
  c->in_ = in[1];
  c->out_ = out[0];
  c->err_ = err[0];
  // Without a pidfd (kernels before 5.3) the exit is noticed when the pipes close.
  c->pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  return c;
}

StdioChild::~StdioChild() {
  kill_and_reap();
  for (int* fd : {&in_, &out_, &err_, &pidfd_}) close_fd(*fd);
}

void StdioChild::close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

bool StdioChild::write(std::string_view bytes) {
  if (in_ < 0) return false;
  if (write_all(in_, bytes.data(), bytes.size()) != 0) {
    close_fd(in_);
    return false;
  }
  return true;
}

void StdioChild::close_stdin() { close_fd(in_); }

void StdioChild::reap(bool block) {
  if (exited_ || pid_ <= 0) return;
  int st = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &st, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r != pid_) return;
  exited_ = true;
  exited_at_ = Clock::now();
  status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  close_fd(pidfd_);
}

void StdioChild::kill_and_reap() {
  if (exited_ || pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  reap(true);
}

StdioChild::Poll StdioChild::poll_once(std::string* out, Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return GotNothing;
  pollfd fds[3] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}, {exited_ ? -1 : pidfd_, POLLIN, 0}};
  int n = ::poll(fds, 3, static_cast<int>(left.count()));
  if (n < 0 && errno != EINTR) return Failed;
  if (n <= 0) return GotNothing;
  bool got = false;
  char buf[65536];
  if (fds[0].fd >= 0 && fds[0].revents) {
    ssize_t k = ::read(out_, buf, sizeof buf);
    if (k > 0) {
      if (out) out->append(buf, static_cast<size_t>(k));
      got = true;
    } else if (k == 0 || errno != EINTR) {
      close_fd(out_);
    }
  }
  if (fds[1].fd >= 0 && fds[1].revents) {
    ssize_t k = ::read(err_, buf, sizeof buf);
    if (k > 0) {
      err_buf_.append(buf, static_cast<size_t>(k));
      if (err_buf_.size() > 65536) err_buf_.erase(0, err_buf_.size() - 32768);
    } else if (k == 0 || errno != EINTR) {
      close_fd(err_);
    }
  }
  if (fds[2].fd >= 0 && fds[2].revents) reap(false);
  if (pidfd_ < 0 && !exited_) reap(false);  // no pidfd: look at the status whenever we wake
  return got ? GotOut : GotNothing;
}

LspTransport::Read StdioChild::read(std::string& out, Clock::time_point deadline) {
  for (;;) {
    if (exited_ && out_ < 0) return Read::Closed;
    if (Clock::now() >= deadline) return Read::Timeout;
    Poll p = poll_once(&out, deadline);
    if (p == GotOut) return Read::Data;
    if (p == Failed) return Read::Closed;
  }
}

bool StdioChild::wait_exit(Clock::time_point deadline) {
  std::string discard;
  for (;;) {
    if (exited_) return true;
    if (Clock::now() >= deadline) return false;
    if (poll_once(&discard, deadline) == Failed) return exited_;
    discard.clear();
  }
}

void StdioChild::drain_stderr(Clock::time_point deadline) {
  char buf[8192];
  while (err_ >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    pollfd p = {err_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    ssize_t k = ::read(err_, buf, sizeof buf);
    if (k <= 0) break;
    err_buf_.append(buf, static_cast<size_t>(k));
  }
}

}  // namespace gsb::sys
