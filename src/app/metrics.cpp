#include "gopls_sandbox/app/metrics.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <vector>

#include "gopls_sandbox/core/lsp_framing.hpp"
#include "gopls_sandbox/sys/fd.hpp"
#include "gopls_sandbox/sys/fs.hpp"
#include "gopls_sandbox/sys/io.hpp"
#include "gopls_sandbox/sys/self.hpp"

namespace gsb::app {

namespace {

double mono_now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}
double unix_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}
using sys::close_fd;

}  // namespace

// Per process, so that two servers sharing a metrics file never write the same temp file.
std::string MetricsProxy::tmp_path() const { return path_ + ".tmp." + std::to_string(sys::own_pid()); }

Result<std::unique_ptr<MetricsProxy>> MetricsProxy::create(const std::string& metrics_file, int client_in,
                                                           int client_out) {
  if (metrics_file.empty()) return Error::usage("--metrics: empty file name");
  std::unique_ptr<MetricsProxy> p(new MetricsProxy());
  p->path_ = metrics_file;
  p->client_in_ = client_in;
  p->client_out_ = client_out;
  auto a = sys::make_pipe("metrics proxy: stdin pipe");
  if (!a) return std::move(a).error();
  p->to_child_r_ = a->r;
  p->to_child_w_ = a->w;
  auto b = sys::make_pipe("metrics proxy: stdout pipe");
  if (!b) return std::move(b).error();
  p->from_child_r_ = b->r;
  p->from_child_w_ = b->w;
  auto stop = sys::make_eventfd("metrics proxy", true);
  if (!stop) return std::move(stop).error();
  p->stop_fd_ = *stop;
  auto reply = sys::make_eventfd("metrics proxy", true);
  if (!reply) return std::move(reply).error();
  p->reply_fd_ = *reply;
  // Fail early (exit 2) when the file cannot be written at all.
  if (int e = p->write_now(); e != 0)
    return Error::usage("--metrics " + metrics_file + ": cannot write: " + errno_text(e),
                        "name a file in a writable directory");
  return p;
}

MetricsProxy::~MetricsProxy() {
  if (started_ && !finished_) finish(-1);
  for (int* fd : {&to_child_r_, &to_child_w_, &from_child_r_, &from_child_w_, &stop_fd_, &reply_fd_}) close_fd(*fd);
}

int MetricsProxy::child_stdin() const { return to_child_r_; }
int MetricsProxy::child_stdout() const { return from_child_w_; }

void MetricsProxy::close_child_ends() {
  close_fd(to_child_r_);
  close_fd(from_child_w_);
}

void MetricsProxy::mark_dirty() {
  // Called with mu_ held.
  if (!dirty_) {
    dirty_ = true;
    cv_.notify_all();
  }
}

void MetricsProxy::relay(int from, int to, core::LspDirection dir, bool close_to_at_eof) {
  core::LspFrameParser parser;
  std::vector<std::string> bodies;
  std::vector<char> buf(1 << 16);
  uint64_t bad_reported = 0;
  bool forward = true;  // false once the destination is gone: keep draining the source
  bool guard = static_cast<bool>(guard_folders_);
  bool s2c = dir == core::LspDirection::ServerToClient;
  std::unique_ptr<core::LspServerFilter> filter;
  if (guard && s2c) filter = std::make_unique<core::LspServerFilter>(guard_folders_);
  std::string out;
  std::vector<std::string> replies;
  std::vector<core::LspServerFilter::Refusal> refused;
  size_t refusals = 0;
  // The guard's answers to the program, only between two of the client's frames.
  auto flush_replies = [&] {
    if (!guard || s2c || !forward || !parser.at_boundary() || parser.bad_headers() != 0) return;
    std::vector<std::string> frames;
    {
      std::lock_guard<std::mutex> lk(mu_);
      frames.swap(replies_);
    }
    for (const auto& f : frames)
      if (sys::write_all(to, f.data(), f.size()) != 0) forward = false;
  };
  for (;;) {
    pollfd fds[3] = {{from, POLLIN, 0}, {stop_fd_, POLLIN, 0}, {reply_fd_, static_cast<short>(s2c ? 0 : POLLIN), 0}};
    int r = sys::poll_fds(fds, 3, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents) {
      // Stop requested: take what is already readable without blocking, then leave.
      if (!(fds[0].revents & (POLLIN | POLLHUP))) break;
    }
    if (fds[2].revents & POLLIN) {
      sys::eventfd_drain(reply_fd_);
      flush_replies();
    }
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    ssize_t n = sys::read_fd(from, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      break;
    }
    if (n == 0) break;
    std::string_view chunk(buf.data(), static_cast<size_t>(n));
    if (filter) {
      // Server->client with the guard: whole, checked frames only.
      out.clear();
      replies.clear();
      refused.clear();
      filter->feed(chunk, out, replies, refused);
      if (!replies.empty()) {
        {
          std::lock_guard<std::mutex> lk(mu_);
          for (const auto& b : replies) replies_.push_back(core::lsp_frame(b));
        }
        sys::eventfd_signal(reply_fd_);
      }
      for (const auto& x : refused)
        if (++refusals <= 100)
          std::fprintf(stderr, "gopls-sandbox: refused %s from the language server%s: %s%s\n",
                       x.method.empty() ? "a message" : x.method.c_str(), x.uri.empty() ? "" : (" for " + x.uri).c_str(),
                       x.reason.c_str(), filter->lost() ? " (nothing more is forwarded)" : "");
      if (forward && !out.empty() && sys::write_all(to, out.data(), out.size()) != 0) forward = false;
    } else if (!s2c && settings_) {
      // Client->server: whole frames, gopls' env settings filtered (core/lsp_settings_filter.hpp).
      out.clear();
      std::vector<std::string> notices;
      settings_->feed(chunk, out, notices);
      for (const auto& t : notices) std::fprintf(stderr, "gopls-sandbox: %s\n", t.c_str());
      if (forward && !out.empty() && sys::write_all(to, out.data(), out.size()) != 0) forward = false;
      if (settings_->ended()) forward = false;
    } else if (forward && sys::write_all(to, chunk.data(), chunk.size()) != 0) {
      // Forward first: the observer never delays the bytes.
      forward = false;
    }
    double now = mono_now();
    bodies.clear();
    parser.feed(chunk, bodies);
    flush_replies();
    std::vector<core::LspMessageInfo> infos;
    infos.reserve(bodies.size());
    for (const auto& b : bodies) infos.push_back(core::classify_message(b));
    uint64_t bad = parser.bad_headers();
    std::lock_guard<std::mutex> lk(mu_);
    metrics_.add_bytes(dir, static_cast<uint64_t>(n));
    if (bad != bad_reported) metrics_.add_bad_headers(dir, bad - bad_reported);
    bad_reported = bad;
    for (const auto& m : infos) metrics_.on_message(dir, m, now);
    mark_dirty();
  }
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (dir == core::LspDirection::ServerToClient) s2c_eof_ = true;
    mark_dirty();
  }
  cv_.notify_all();
  if (close_to_at_eof) close_fd(to_child_w_);
}

void MetricsProxy::writer_loop() {
  using clock = std::chrono::steady_clock;
  auto last = clock::now() - std::chrono::seconds(1);
  std::unique_lock<std::mutex> lk(mu_);
  for (;;) {
    cv_.wait(lk, [&] { return dirty_ || stopping_; });
    if (stopping_) return;
    // At most one write per second.
    auto due = last + std::chrono::seconds(1);
    if (cv_.wait_until(lk, due, [&] { return stopping_; })) return;
    dirty_ = false;
    std::string text = metrics_.prometheus_text();
    lk.unlock();
    {
      std::lock_guard<std::mutex> fl(file_mu_);
      std::string tmp = tmp_path();
      if (sys::write_file(tmp, text) && !sys::rename_path(tmp, path_)) (void)sys::remove_file(tmp);
    }
    last = clock::now();
    lk.lock();
  }
}

std::string MetricsProxy::snapshot() const {
  std::lock_guard<std::mutex> lk(mu_);
  return metrics_.prometheus_text();
}

int MetricsProxy::write_now() {
  std::string text = snapshot();
  std::lock_guard<std::mutex> fl(file_mu_);
  std::string tmp = tmp_path();
  auto w = sys::write_file(tmp, text);
  if (!w) {
    (void)sys::remove_file(tmp);
    return w.error().err ? w.error().err : EIO;
  }
  if (auto r = sys::rename_path(tmp, path_); !r) {
    (void)sys::remove_file(tmp);
    return r.error().err;
  }
  return 0;
}

void MetricsProxy::start() {
  if (started_) return;
  started_ = true;
  {
    std::lock_guard<std::mutex> lk(mu_);
    metrics_.set_server_start_time(unix_now());
  }
  // Relay threads must get EPIPE, not SIGPIPE, when the other side is gone: they inherit a
  // mask with SIGPIPE blocked (a thread-directed SIGPIPE then stays pending and harmless).
  sys::SigpipeBlocked no_sigpipe;
  c2s_ = std::thread([this] { relay(client_in_, to_child_w_, core::LspDirection::ClientToServer, true); });
  s2c_ = std::thread([this] { relay(from_child_r_, client_out_, core::LspDirection::ServerToClient, false); });
  writer_ = std::thread([this] { writer_loop(); });
}

void MetricsProxy::finish(int exit_status) {
  if (finished_) return;
  finished_ = true;
  close_child_ends();
  if (started_) {
    // Drain what the program wrote: its stdout reaches EOF once every writer is gone (the
    // sandbox's pid 1 kills the rest); bounded so a leaked descriptor cannot hang the exit.
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait_for(lk, std::chrono::seconds(2), [&] { return s2c_eof_; });
    }
    sys::eventfd_signal(stop_fd_);
    c2s_.join();
    s2c_.join();
    {
      std::lock_guard<std::mutex> lk(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    writer_.join();
  }
  {
    std::lock_guard<std::mutex> lk(mu_);
    metrics_.set_server_exit_status(exit_status);
  }
  if (int e = write_now(); e != 0)
    std::fprintf(stderr, "gopls-sandbox: --metrics %s: %s\n", path_.c_str(), errno_text(e).c_str());
}

}  // namespace gsb::app
