#include "gopls_sandbox/core/machine_facts.hpp"

#include <charconv>
#include <cstdio>
#include <vector>

namespace gsb::core {

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (true) {
    size_t j = s.find(sep, i);
    if (j == std::string_view::npos) {
      out.push_back(s.substr(i));
      return out;
    }
    out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
}

bool list_has(std::string_view comma_list, std::string_view item) {
  for (auto x : split(comma_list, ','))
    if (x == item) return true;
  return false;
}

// mountinfo escapes ' ', '\t', '\n' and '\\' as \ooo (Linux show_path).
std::optional<std::string> unescape(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 3 >= in.size()) return std::nullopt;
    int v = 0;
    for (size_t k = 1; k <= 3; ++k) {
      char c = in[i + k];
      if (c < '0' || c > '7') return std::nullopt;
      v = v * 8 + (c - '0');
    }
    out.push_back(static_cast<char>(v));
    i += 3;
  }
  return out;
}

// Go's hasPathPrefix: "/" contains everything; otherwise a prefix at a path boundary.
bool has_path_prefix(std::string_view p, std::string_view prefix) {
  if (prefix.size() == 1) return true;
  if (p.size() < prefix.size() || p.substr(0, prefix.size()) != prefix) return false;
  return p.size() == prefix.size() || p[prefix.size()] == '/';
}

std::optional<long long> parse_int(std::string_view s) {
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::string_view first_line(std::string_view s, bool& had_newline) {
  size_t nl = s.find('\n');
  had_newline = nl != std::string_view::npos;
  return had_newline ? s.substr(0, nl) : s;
}

}  // namespace

Result<CpuCgroup> find_cpu_cgroup(std::string_view proc_cgroup, std::string_view mountinfo) {
  CpuCgroup cg;
  for (auto line : split(proc_cgroup, '\n')) {
    if (line.empty()) continue;
    size_t a = line.find(':');
    size_t b = a == std::string_view::npos ? a : line.find(':', a + 1);
    if (b == std::string_view::npos) return Error::setup("/proc/self/cgroup: malformed line \"" + std::string(line) + "\"");
    std::string_view hier = line.substr(0, a), ctrls = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    if (path.empty() || path[0] != '/')
      return Error::setup("/proc/self/cgroup: malformed line \"" + std::string(line) + "\"");
    if (hier == "0") {
      cg.version = 2;  // keep looking: a v1 hierarchy with the cpu controller takes precedence
      cg.cgroup = path;
    } else if (list_has(ctrls, "cpu")) {
      cg.version = 1;
      cg.cgroup = path;
      break;
    }
  }
  if (cg.version == 0) return Error::setup("not in a CPU cgroup (/proc/self/cgroup has no cpu or unified hierarchy)");

  for (auto line : split(mountinfo, '\n')) {
    if (line.empty()) continue;
    auto f = split(line, ' ');
    size_t sep = 6;
    while (sep < f.size() && f[sep] != "-") ++sep;
    if (sep + 1 >= f.size()) continue;  // no " - " separator: not a mountinfo line
    std::string_view fstype = f[sep + 1];
    if (cg.version == 1) {
      if (fstype != "cgroup" || sep + 3 >= f.size() || !list_has(f[sep + 3], "cpu")) continue;
    } else if (fstype != "cgroup2") {
      continue;
    }
    auto root = unescape(f[3]);
    auto mnt = unescape(f[4]);
    if (!root || !mnt || root->empty() || (*root)[0] != '/') continue;
    if (!has_path_prefix(cg.cgroup, *root)) continue;
    std::string rel = root->size() == 1 && cg.cgroup.size() > 1 ? cg.cgroup : cg.cgroup.substr(root->size());
    if (has_path_prefix(rel, "/..")) continue;  // outside this mount's reach
    cg.mount_root = *root;
    cg.mount_point = *mnt;
    cg.dir = *mnt == "/" && !rel.empty() ? rel : *mnt + rel;
    return cg;
  }
  return Error::setup("no cgroup" + std::string(cg.version == 2 ? "2" : " (cpu)") + " mount in /proc/self/mountinfo reaches " +
                      cg.cgroup);
}

std::vector<std::string> cpu_limit_files(const CpuCgroup& cg) {
  if (cg.version == 2) return {cg.dir + "/cpu.max"};
  return {cg.dir + "/cpu.cfs_quota_us", cg.dir + "/cpu.cfs_period_us"};
}

std::optional<double> parse_cpu_limit(int version, std::string_view quota_or_max, std::string_view period) {
  bool nl = false;
  if (version == 2) {
    std::string_view l = first_line(quota_or_max, nl);
    if (!nl) return std::nullopt;
    size_t sp = l.find(' ');
    if (sp == std::string_view::npos || l.substr(0, sp) == "max") return std::nullopt;
    auto q = parse_int(l.substr(0, sp)), p = parse_int(l.substr(sp + 1));
    if (!q || !p || *p == 0) return std::nullopt;
    return static_cast<double>(*q) / static_cast<double>(*p);
  }
  auto q = parse_int(first_line(quota_or_max, nl));
  if (!nl || !q || *q < 0) return std::nullopt;
  auto p = parse_int(first_line(period, nl));
  if (!nl || !p || *p == 0) return std::nullopt;
  return static_cast<double>(*q) / static_cast<double>(*p);
}

}  // namespace gsb::core

namespace gsb::core {

namespace {
std::string file_text(const MachineFile& f) {
  return f.err ? "unreadable (" + std::string(f.err == 2 ? "absent" : "errno " + std::to_string(f.err)) + ")" : f.value;
}
std::string limit_text(const MachineView& v) {
  if (!v.cpu_cgroup) return "no CPU cgroup (" + v.cpu_cgroup_error + ")";
  std::string s = "cgroup v" + std::to_string(v.cpu_cgroup->version) + " " + v.cpu_cgroup->dir + ": ";
  if (!v.cpu_limit) return s + "no CPU limit";
  char b[64];
  std::snprintf(b, sizeof b, "%.2f CPUs", *v.cpu_limit);
  return s + b;
}
}  // namespace

std::vector<std::string> describe_machine_view(const MachineView& proc, const MachineView& mine) {
  std::vector<std::string> out;
  for (const auto& f : proc.files) {
    std::string line = "  " + f.path + ": " + file_text(f);
    for (const auto& m : mine.files)
      if (m.path == f.path && file_text(m) != file_text(f)) line += "   (yours: " + file_text(m) + ")";
    out.push_back(line);
  }
  std::string l = "  Go runtime CPU limit: " + limit_text(proc);
  if (limit_text(mine) != limit_text(proc)) l += "   (yours: " + limit_text(mine) + ")";
  out.push_back(l);
  return out;
}

}  // namespace gsb::core
