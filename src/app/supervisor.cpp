#include "gopls_sandbox/app/supervisor.hpp"

#include <linux/audit.h>

#include <cerrno>
#include <chrono>
#include <cstdio>

#include "gopls_sandbox/core/never_learned.hpp"
#include "gopls_sandbox/core/strace.hpp"
#include "gopls_sandbox/core/syscall_table.hpp"
#include "gopls_sandbox/sys/fd.hpp"
#include "gopls_sandbox/sys/fs.hpp"
#include "gopls_sandbox/sys/io.hpp"
#include "gopls_sandbox/sys/notify.hpp"

namespace gsb::app {

namespace {
int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
std::string parent_dir(const std::string& p) {
  auto s = p.rfind('/');
  return s == std::string::npos || s == 0 ? std::string("/") : p.substr(0, s);
}
}  // namespace

std::string default_denial_log(const std::map<std::string, std::string>& env) {
  auto get = [&](const char* k) {
    auto it = env.find(k);
    return it == env.end() ? std::string() : it->second;
  };
  std::string state = get("XDG_STATE_HOME");
  if (state.empty() || state[0] != '/') {
    std::string home = get("HOME");
    if (home.empty()) return "/tmp/gopls-sandbox-denials.jsonl";
    state = home + "/.local/state";
  }
  return state + "/gopls-sandbox/denials.jsonl";
}

DenialLog::~DenialLog() {
  sys::close_fd(fd_);
}

bool DenialLog::open_file() {
  if (fd_ >= 0) return true;
  if (path_ == "off") return false;  // --log off
  if (!error_.empty()) return false;
  (void)sys::mkdir_p(parent_dir(path_), 0700);
  auto fd = sys::open_append(path_, 0600);
  if (!fd) {
    error_ = fd.error().message;
    return false;
  }
  fd_ = *fd;
  size_ = sys::fd_info(fd_).size;  // 0 when fstat fails
  return true;
}

void DenialLog::write(const core::DenialRecord& r) { this->write(core::to_json(r)); }

void DenialLog::write(const json::Value& record) {
  std::lock_guard<std::mutex> lk(mu_);
  if (!open_file()) return;
  std::string line = record.dump();
  line += '\n';
  if (size_ + line.size() > max_bytes_ && size_ > 0) {
    // One rotation: FILE -> FILE.1 (replacing an older one), then start FILE afresh.
    std::string old = path_ + ".1";
    if (sys::rename_path(path_, old)) {
      sys::close_fd(fd_);
      if (!open_file()) return;
    }
  }
  if (sys::write_all(fd_, line.data(), line.size()) == 0) size_ += line.size();
}

Supervisor::Supervisor(Options o) : o_(std::move(o)) {}

Supervisor::~Supervisor() { stop(); }

void Supervisor::start(int listener) {
  listener_ = listener;
  auto stop = sys::make_eventfd("denial log supervisor", false);
  stop_fd_ = stop ? *stop : -1;
  // Lower round-trip latency where the kernel offers it (6.6+); harmless otherwise.
  (void)sys::notif_set_sync_wakeup(listener_);
  thread_ = std::thread([this] { loop(); });
}

void Supervisor::stop() {
  if (thread_.joinable()) {
    sys::eventfd_signal(stop_fd_);
    thread_.join();
  }
  for (const auto& r : agg_.flush(now_us(), true)) emit(r);
  sys::close_fd(listener_);
  sys::close_fd(stop_fd_);
}

void Supervisor::loop() {
  for (;;) {
    struct pollfd fds[2] = {{listener_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    // Wake up now and then to close aggregation windows even when nothing new arrives.
    int r = sys::poll_fds(fds, 2, 1000);
    if (r < 0 && errno != EINTR) return;
    if (fds[0].revents & POLLIN) {
      handle(now_us());
    } else if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) return;  // no task uses the filter any more
    if (fds[1].revents) return;
    auto now = now_us();
    if (now - last_flush_us_ > 100000) {  // closing windows is a map walk: not per event
      last_flush_us_ = now;
      for (const auto& rec : agg_.flush(now, false)) emit(rec);
    }
  }
}

void Supervisor::handle(int64_t t) {
  sys::Notification n;
  int e = sys::notif_receive(listener_, &n);
  if (e) return;  // ENOENT: the caller was interrupted before we got it; it will retry
  // Storm fast path: the same call again from the same thread — answer and count, nothing else.
  if (last_.valid && !o_.learn && n.tid == last_.tid && n.nr == last_.nr &&
      std::equal(std::begin(n.args), std::end(n.args), std::begin(last_.args)) && t - last_.at_us < 200000 &&
      agg_.repeat_last(t)) {
    sys::notif_respond(listener_, n.id, last_.err, false);
    return;
  }
  last_.valid = false;
  core::DenialRecord rec;
  rec.time_us = t;
  rec.tid = static_cast<int>(n.tid);
  rec.nr = n.nr;
  bool native = n.arch == AUDIT_ARCH_X86_64 && !(n.nr & 0x40000000);
  rec.arch = n.arch == AUDIT_ARCH_X86_64 ? ((n.nr & 0x40000000) ? "x32" : "x86_64") : "i386";
  std::copy(std::begin(n.args), std::end(n.args), std::begin(rec.args));
  std::string_view name = native ? core::syscall_name(n.nr) : std::string_view();
  rec.syscall = name.empty() ? "syscall_" + std::to_string(n.nr) : std::string(name);

  int err = core::kForeignAbiErrno;
  bool cont = false;
  const core::Profile* prof = native && o_.profile ? o_.profile() : nullptr;
  if (prof && !o_.learn && core::is_intercepted_when_allowed(static_cast<int>(n.nr)) &&
      core::decide(*prof, n.nr, n.args).kind == core::Decision::Allow) {
    answer_time_update(n);  // not a denial: nothing is recorded
    return;
  }
  if (prof) {
    core::Decision d = core::decide(*prof, n.nr, n.args);
    rec.rule = d.rule;
    if (d.kind == core::Decision::Errno) err = d.err;
    else cont = true;  // allow/log reached the supervisor (learn mode's default): let it run
  } else {
    rec.rule = "foreign ABI";
  }
  if (o_.learn) {
    // Learn lets what the base refuses continue, except the never-learned table (issue 11,
    // hole 5): those are answered with their errno here, whatever the base says, and never
    // with CONTINUE. Their arguments are registers (ioctl request, clone flags, persona), not
    // memory, so the decision cannot be raced.
    const core::NeverLearned* never = native ? core::never_learned_call(rec.syscall, n.args) : nullptr;
    if (never) {
      cont = false;
      err = never->err;
      rec.rule = (rec.rule.empty() ? std::string() : rec.rule + "; ") + "never learned: " + std::string(never->reason);
    } else {
      cont = native;
    }
  }
  // The path argument must be read while the caller is still blocked in the call.
  if (native) {
    auto idx = strace::path_arg_indices(rec.syscall);
    if (!idx.empty() && idx[0] < 6)
      rec.path = sys::read_string_arg(listener_, n.id, n.tid, n.args[idx[0]]);
  }
  // Who called (read while the caller is still blocked, so it cannot have exited): cached per
  // thread for a short while so storms do not hammer /proc.
  auto it = tasks_.find(n.tid);
  if (it == tasks_.end() || t - it->second.at_us > 200000) {
    sys::TaskInfo ti = sys::read_task(n.tid);
    tasks_[n.tid] = Cached{t, ti.tgid, ti.ns_pid, ti.comm, ti.exe};
    it = tasks_.find(n.tid);
  }
  rec.pid = it->second.tgid;
  rec.ns_pid = it->second.ns_pid;
  rec.comm = it->second.comm;
  rec.exe = it->second.exe;
  sys::notif_respond(listener_, n.id, cont ? 0 : err, cont);
  rec.err = cont ? 0 : err;
  rec.action = cont ? "allowed" : "errno";

  if (o_.on_record) o_.on_record(rec);
  if (o_.learn && cont) return;  // learn mode records what it lets through; refusals are logged
  for (const auto& r : agg_.add(rec)) emit(r);
  if (!cont && !rec.path) {  // a path may differ behind the same pointer: no fast path then
    last_.valid = true;
    last_.tid = n.tid;
    last_.nr = n.nr;
    std::copy(std::begin(n.args), std::end(n.args), std::begin(last_.args));
    last_.err = err;
    last_.at_us = it->second.at_us;
  }
}

// utimensat(dirfd, path, times, flags) / utimes(path, times), allowed by the profile, on a
// cache path: success without running it. The decision only ever skips a timestamp update, so a
// path changed behind our back after the read gains the caller nothing; anything not plainly
// below a cache mount point (relative, "..", no path: futimens) continues unchanged.
void Supervisor::answer_time_update(const sys::Notification& n) {
  const bool at = n.nr == 280;  // utimensat: the path is the second argument
  bool skip = false;
  if (!o_.skip_times_under.empty() && n.args[at ? 1 : 0] != 0) {
    auto p = sys::read_string_arg(listener_, n.id, n.tid, n.args[at ? 1 : 0]);
    if (p && !p->empty() && (*p)[0] == '/' && p->find("/..") == std::string::npos &&
        p->find("/./") == std::string::npos)
      for (const auto& dir : o_.skip_times_under)
        if (p->size() > dir.size() && p->compare(0, dir.size(), dir) == 0 && (*p)[dir.size()] == '/') skip = true;
  }
  sys::notif_respond(listener_, n.id, 0, !skip);
}

void Supervisor::emit(const core::DenialRecord& r) {
  if (o_.log) o_.log->write(r);
  if (o_.verbose) std::fprintf(stderr, "gopls-sandbox: refused: %s\n", core::one_line(r).c_str());
}

}  // namespace gsb::app
