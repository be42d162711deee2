#include "gopls_sandbox/core/denials.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "gopls_sandbox/core/result.hpp"
#include "gopls_sandbox/core/text.hpp"

namespace gsb::core {

std::string rfc3339_us(int64_t time_us) {
  time_t secs = static_cast<time_t>(time_us / 1000000);
  int64_t us = time_us % 1000000;
  if (us < 0) {
    us += 1000000;
    --secs;
  }
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(us));
  return buf;
}

namespace {
std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}
}  // namespace

json::Value to_json(const DenialRecord& r) {
  json::Value v;
  v.set("time", rfc3339_us(r.time_us));
  v.set("pid", r.pid);
  v.set("ns_pid", r.ns_pid);
  v.set("tid", r.tid);
  v.set("comm", r.comm);
  v.set("exe", r.exe);
  v.set("syscall", r.syscall);
  v.set("nr", r.nr);
  v.set("arch", r.arch);
  json::Value args;
  args.array();
  for (uint64_t a : r.args) args.push(hex(a));
  v.set("args", std::move(args));
  if (r.path) v.set("path", *r.path);
  v.set("action", r.action);
  v.set("errno", r.err);
  const char* n = errno_name(r.err);
  v.set("errno_name", n ? n : "");
  v.set("rule", r.rule);
  v.set("count", r.count);
  if (r.count > 1) v.set("last", rfc3339_us(r.last_us));
  return v;
}

std::string one_line(const DenialRecord& r) {
  std::string s = r.syscall + "(";
  for (int i = 0; i < 3; ++i) {
    if (i) s += ", ";
    s += hex(r.args[i]);
  }
  s += ", ...)";
  if (r.action == "errno") {
    const char* n = errno_name(r.err);
    s += " = -1 ";
    s += n ? n : std::to_string(r.err);
  } else {
    s += " allowed (learn)";
  }
  // comm and path are chosen by the sandboxed program: escaped for the terminal (issue 11, hole 7).
  s += " pid " + std::to_string(r.pid) + " (" + printable(r.comm) + ")";
  if (r.path) s += " path=" + printable(*r.path);
  if (!r.rule.empty()) s += " [" + printable(r.rule) + "]";
  if (r.count > 1) s += " x" + std::to_string(r.count);
  return s;
}

bool DenialAggregator::repeat_last(int64_t now_us) {
  if (!last_ || now_us - last_->start_us >= window_us_) return false;
  ++total_;
  ++by_syscall_[last_syscall_];
  ++last_->suppressed;
  last_->last.time_us = now_us;
  return true;
}

std::vector<DenialRecord> DenialAggregator::flush(int64_t now_us, bool final) {
  last_ = nullptr;  // windows may go away below
  std::vector<DenialRecord> out;
  for (auto it = windows_.begin(); it != windows_.end();) {
    if (final || now_us - it->second.start_us >= window_us_) {
      if (it->second.suppressed > 0) {
        DenialRecord agg = it->second.last;
        agg.count = it->second.suppressed;
        agg.last_us = it->second.last.time_us;
        agg.time_us = it->second.start_us;
        out.push_back(std::move(agg));
      }
      it = windows_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::vector<DenialRecord> DenialAggregator::add(const DenialRecord& r) {
  ++total_;
  ++by_syscall_[r.syscall];
  std::vector<DenialRecord> out = flush(r.time_us, false);
  Key k{r.syscall, r.comm, r.err};
  auto it = windows_.find(k);
  if (it == windows_.end()) {
    it = windows_.emplace(k, Window{r, r.time_us, 0}).first;
    out.push_back(r);
  } else {
    ++it->second.suppressed;
    it->second.last = r;
  }
  last_ = &it->second;
  last_syscall_ = r.syscall;
  return out;
}

std::string exit_summary(const std::map<std::string, uint64_t>& by_syscall, uint64_t total,
                         const std::string& log_path) {
  std::vector<std::pair<std::string, uint64_t>> v(by_syscall.begin(), by_syscall.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string s = std::to_string(total) + (total == 1 ? " syscall refused: " : " syscalls refused: ");
  for (size_t i = 0; i < v.size() && i < 8; ++i) {
    if (i) s += ", ";
    s += printable(v[i].first) + " \u00d7" + std::to_string(v[i].second);
  }
  if (v.size() > 8) s += ", ...";
  if (!log_path.empty()) s += " \u2014 see " + log_path;
  return s;
}

}  // namespace gsb::core
