#include "gopls_sandbox/app/lsp_relay.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>

#include "gopls_sandbox/core/lsp_framing.hpp"
#include "gopls_sandbox/core/lsp_initialize.hpp"
#include "gopls_sandbox/core/lsp_settings_filter.hpp"
#include "gopls_sandbox/sys/fd.hpp"
#include "gopls_sandbox/sys/io.hpp"
#include "gopls_sandbox/sys/splice.hpp"

namespace gsb::app {

using sys::close_fd;

bool notify_client_enabled(const std::string& cli_value, const std::string& env_value) {
  const std::string& v = cli_value.empty() ? env_value : cli_value;
  return !(v == "off" || v == "0" || v == "false" || v == "no");
}

Result<std::unique_ptr<LspRelay>> LspRelay::create(std::string prefix, bool inject, int client_in, int client_out) {
  std::unique_ptr<LspRelay> r(new LspRelay());
  r->prefix_ = std::move(prefix);
  r->inject_ = inject;
  r->client_in_ = client_in;
  r->client_out_ = client_out;
  auto a = sys::make_pipe("lsp relay: stdin pipe");
  if (!a) return std::move(a).error();
  r->to_child_r_ = a->r;
  r->to_child_w_ = a->w;
  // A bigger pipe: fewer wake-ups for large didOpen/didChange messages (best effort).
  sys::grow_pipe(r->to_child_w_, 1 << 20);
  // stdout always: the server->client guard (core/lsp_guard.hpp) sees every frame.
  auto b = sys::make_pipe("lsp relay: stdout pipe");
  if (!b) return std::move(b).error();
  r->from_child_r_ = b->r;
  r->from_child_w_ = b->w;
  sys::grow_pipe(r->from_child_w_, 1 << 20);
  auto wake = sys::make_eventfd("lsp relay", true);
  if (!wake) return std::move(wake).error();
  r->wake_fd_ = *wake;
  auto reply = sys::make_eventfd("lsp relay", true);
  if (!reply) return std::move(reply).error();
  r->reply_fd_ = *reply;
  auto stop = sys::make_eventfd("lsp relay", true);
  if (!stop) return std::move(stop).error();
  r->stop_fd_ = *stop;
  return r;
}

LspRelay::~LspRelay() {
  if (started_ && !finished_) finish();
  for (int* fd : {&to_child_r_, &to_child_w_, &from_child_r_, &from_child_w_, &stop_fd_, &wake_fd_, &reply_fd_}) close_fd(*fd);
}

void LspRelay::close_child_ends() {
  close_fd(to_child_r_);
  close_fd(from_child_w_);
}

void LspRelay::notify(const std::string& cause, const std::string& text) {
  if (!inject_) return;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (!causes_.insert(cause).second) return;
    pending_.push_back(core::show_message_frame("gopls-sandbox: " + text));
  }
  sys::eventfd_signal(wake_fd_);
}

size_t LspRelay::notified() const {
  std::lock_guard<std::mutex> lk(mu_);
  return sent_;
}

void LspRelay::pump_in() {
  // The initialize request (and whatever came with it) and the rest, frame by frame: the guard's
  // answers go in between two frames (and a folder hook may hold one); spliced once the input
  // is not LSP framing.
  if (pump_in_framed()) {
    close_fd(to_child_w_);
    return;
  }
  bool fallback = false;
  char buf[65536];
  for (;;) {
    pollfd fds[2] = {{client_in_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    int r = sys::poll_fds(fds, 2, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents && !(fds[0].revents & (POLLIN | POLLHUP))) break;
    ssize_t n = sys::splice_step(client_in_, to_child_w_, 1 << 20, &fallback, buf, sizeof buf);
    if (n <= 0) break;  // end of input, or the program is gone (EPIPE)
  }
  close_fd(to_child_w_);  // the program sees end of input
}

namespace {

// Bodies up to this size are examined whole (settings filter, added folders); a larger one ends
// the forwarding of the client's input: it cannot be checked, and a setting padded past any
// limit must not pass for that reason (no editor sends a message this large).
constexpr size_t kMaxExamined = 64u << 20;
constexpr std::string_view kDidChangeFolders = "workspace/didChangeWorkspaceFolders";

}  // namespace

// Issue 13.2: the client's frames, split as they come (a body is parsed only if it may carry gopls'
// env settings — the settings filter — or names didChangeWorkspaceFolders). Forwarded in one write
// per read, up to the last complete frame; a frame adding folders is held until the hook has
// attached them.
// Returns true at end of input or when the program is gone, false when the input stopped being
// LSP framing (what was read is forwarded; the caller splices the rest).
bool LspRelay::pump_in_framed() {
  std::string buf;     // read, not yet forwarded
  buf.swap(prefix_);   // (the initialize request, read by the launcher, and what came with it)
  size_t scan = 0;     // start of the first frame not yet complete in buf
  bool lsp = true;
  std::vector<char> rd(1 << 16);
  auto forward = [&](size_t n) {
    if (n == 0) return true;
    bool ok = sys::write_all(to_child_w_, buf.data(), n) == 0;
    buf.erase(0, n);
    scan -= std::min(scan, n);
    return ok;
  };
  bool have = !buf.empty();
  for (;;) {
    if (!have) {
      pollfd fds[3] = {{client_in_, POLLIN, 0}, {stop_fd_, POLLIN, 0}, {reply_fd_, POLLIN, 0}};
      int r = sys::poll_fds(fds, 3, -1);
      if (r < 0) {
        if (errno == EINTR) continue;
        return true;
      }
      if (fds[1].revents && !(fds[0].revents & (POLLIN | POLLHUP))) return true;
      if (fds[2].revents & POLLIN) {
        sys::eventfd_drain(reply_fd_);
        flush_replies();  // forwarded up to a frame boundary: the program has whole frames only
      }
      if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = sys::read_fd(client_in_, rd.data(), rd.size());
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) return !buf.empty() ? (forward(buf.size()), true) : true;
      buf.append(rd.data(), static_cast<size_t>(n));
    }
    have = false;
    while (lsp) {
      size_t hdr_end = buf.find("\r\n\r\n", scan);
      if (hdr_end == std::string::npos) {
        if (buf.size() - scan > core::LspFrameParser::kMaxHeader) lsp = false;
        break;
      }
      int64_t len = core::parse_content_length(std::string_view(buf).substr(scan, hdr_end - scan));
      if (len < 0) {
        lsp = false;
        break;
      }
      size_t body = hdr_end + 4;
      if (static_cast<uint64_t>(len) > kMaxExamined) {
        std::fprintf(stderr, "gopls-sandbox: a message from the editor of %lld bytes is over the %zu MiB gopls-sandbox "
                     "examines: nothing more is forwarded to the language server\n", static_cast<long long>(len), kMaxExamined >> 20);
        notify("client:too-large", "a message from the editor was too large to examine: the language server gets "
               "nothing more (restart it)");
        (void)forward(scan);
        return true;
      }
      if (buf.size() - body < static_cast<size_t>(len)) break;
      std::string_view b(buf.data() + body, static_cast<size_t>(len));
      // Settings that would make gopls itself start a program of their choosing
      // (core/lsp_settings_filter.hpp): removed; a message this parser cannot read is dropped.
      if (filter_settings_ && core::may_name_unsafe_env(b)) {
        auto fr = core::filter_settings_env(b);
        if (fr.kind != core::SettingsFilterResult::Unchanged) {
          std::string repl = fr.kind == core::SettingsFilterResult::Rewritten ? core::lsp_frame(fr.body) : std::string();
          std::string text = core::settings_filter_notice(fr);
          std::fprintf(stderr, "gopls-sandbox: %s\n", text.c_str());
          notify("client:settings-env", text);
          buf.replace(scan, body + static_cast<size_t>(len) - scan, repl);
          scan += repl.size();
          continue;
        }
      }
      if (b.find(kDidChangeFolders) != std::string_view::npos) {
        auto added = core::added_workspace_folders(b);
        if (!added.empty()) {
          size_t frame_len = body + static_cast<size_t>(len) - scan;
          if (!forward(scan)) return true;  // what came before it, then the attach, then the frame
          folder_hook_(added);
          if (!forward(frame_len)) return true;
          continue;
        }
      }
      scan = body + static_cast<size_t>(len);
    }
    if (!lsp) return forward(buf.size()) ? false : true;
    if (!forward(scan)) return true;
    flush_replies();
  }
}

void LspRelay::flush_replies() {
  std::vector<std::string> frames;
  {
    std::lock_guard<std::mutex> lk(mu_);
    frames.swap(replies_);
  }
  for (const auto& f : frames) (void)sys::write_all(to_child_w_, f.data(), f.size());
}

size_t LspRelay::refused() const {
  std::lock_guard<std::mutex> lk(mu_);
  return refused_;
}

void LspRelay::refuse(const core::LspServerFilter::Refusal& r) {
  size_t n;
  {
    std::lock_guard<std::mutex> lk(mu_);
    n = ++refused_;
  }
  std::string what = r.method.empty() ? std::string("a message") : "a " + r.method;
  std::string text = "refused " + what + " from the language server" + (r.uri.empty() ? "" : " for " + r.uri) + ": " +
                     r.reason + ". Code running inside the sandbox (a cgo build, a test, go generate) may have forged it";
  if (n <= 100) std::fprintf(stderr, "gopls-sandbox: %s\n", text.c_str());
  if (n == 100) std::fprintf(stderr, "gopls-sandbox: (further refusals of server messages are not printed)\n");
  notify("guard:" + r.method, text);
}

void LspRelay::flush_pending_locked_out() {
  std::vector<std::string> frames;
  {
    std::lock_guard<std::mutex> lk(mu_);
    frames.swap(pending_);
    sent_ += frames.size();
  }
  for (const auto& f : frames) (void)sys::write_all(client_out_, f.data(), f.size());
}

void LspRelay::pump_out() {
  // Whole frames only (core::LspServerFilter): whatever is written between two writes of `out`
  // (the notifications) is at a frame boundary.
  core::LspServerFilter filter(guard_folders_);
  std::string out;
  std::vector<std::string> replies;
  std::vector<core::LspServerFilter::Refusal> refused;
  std::vector<char> buf(1 << 16);
  bool forward = true;
  bool lost_told = false;
  auto has_pending = [&] {
    std::lock_guard<std::mutex> lk(mu_);
    return !pending_.empty();
  };
  for (;;) {
    pollfd fds[3] = {{from_child_r_, POLLIN, 0}, {wake_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    int r = sys::poll_fds(fds, 3, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].revents && !(fds[0].revents & (POLLIN | POLLHUP))) break;
    if (fds[1].revents & POLLIN) {
      sys::eventfd_drain(wake_fd_);
      if (forward) flush_pending_locked_out();
    }
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    ssize_t n = sys::read_fd(from_child_r_, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      break;
    }
    if (n == 0) break;
    out.clear();
    replies.clear();
    refused.clear();
    filter.feed(std::string_view(buf.data(), static_cast<size_t>(n)), out, replies, refused);
    if (!replies.empty()) {
      {
        std::lock_guard<std::mutex> lk(mu_);
        for (const auto& b : replies) replies_.push_back(core::lsp_frame(b));
      }
      sys::eventfd_signal(reply_fd_);
    }
    for (size_t i = 0; i < refused.size(); ++i) {
      if (filter.lost() && i + 1 == refused.size()) {  // (the last one says why the stream was lost)
        if (!lost_told)
          std::fprintf(stderr, "gopls-sandbox: %s: nothing more is forwarded to the editor\n", refused[i].reason.c_str());
        lost_told = true;
        continue;
      }
      refuse(refused[i]);
    }
    if (forward && !out.empty() && sys::write_all(client_out_, out.data(), out.size()) != 0) forward = false;
    if (forward && has_pending()) flush_pending_locked_out();
  }
  {
    std::lock_guard<std::mutex> lk(mu_);
    out_eof_ = true;
  }
  out_cv_.notify_all();
}

void LspRelay::start() {
  if (started_) return;
  started_ = true;
  sys::SigpipeBlocked no_sigpipe;  // the pump threads inherit it
  in_ = std::thread([this] { pump_in(); });
  out_ = std::thread([this] { pump_out(); });
}

void LspRelay::finish() {
  if (finished_) return;
  finished_ = true;
  close_child_ends();
  if (!started_) return;
  {
    // The program's stdout ends once every writer is gone (pid 1 kills the rest); bounded so
    // that a leaked descriptor cannot hang the exit.
    std::unique_lock<std::mutex> lk(mu_);
    out_cv_.wait_for(lk, std::chrono::seconds(2), [&] { return out_eof_; });
  }
  sys::eventfd_signal(stop_fd_);
  in_.join();
  if (out_.joinable()) out_.join();
}

}  // namespace gsb::app
