// Parsers of procfs formats. See procfs.hpp.
#include "gopls_sandbox/core/procfs.hpp"

#include <algorithm>
#include <charconv>
#include <set>

namespace gsb::core::procfs {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

template <typename F>
void for_each_line(std::string_view text, F&& f) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    f(line);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
}

template <typename T>
std::optional<T> to_num(std::string_view s, int base = 10) {
  s = trim(s);
  T v{};
  auto r = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::vector<std::string_view> fields(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

bool under(std::string_view path, std::string_view dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
  if (dir.empty() || path.substr(0, dir.size()) != dir) return false;
  return path.size() == dir.size() || path[dir.size()] == '/' || dir == "/";
}

}  // namespace

std::optional<uint64_t> parse_hex(std::string_view s) { return to_num<uint64_t>(s, 16); }

Result<Status> parse_status(std::string_view text) {
  Status st;
  bool have_name = false, have_pid = false;
  for_each_line(text, [&](std::string_view line) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return;
    std::string_view key = line.substr(0, colon);
    std::string_view val = trim(line.substr(colon + 1));
    auto ints = [&](auto& vec) {
      for (auto f : fields(val))
        if (auto n = to_num<long>(f)) vec.push_back(static_cast<typename std::decay_t<decltype(vec)>::value_type>(*n));
    };
    if (key == "Name") st.name = std::string(val), have_name = true;
    else if (key == "State") st.state = std::string(val);
    else if (key == "Pid") st.pid = to_num<int>(val).value_or(0), have_pid = true;
    else if (key == "PPid") st.ppid = to_num<int>(val).value_or(0);
    else if (key == "Tgid") st.tgid = to_num<int>(val).value_or(0);
    else if (key == "Threads") st.threads = to_num<int>(val).value_or(0);
    else if (key == "VmRSS") {
      auto f = fields(val);
      if (!f.empty()) st.vm_rss_kb = to_num<uint64_t>(f[0]).value_or(0);
    } else if (key == "CapEff") st.cap_eff = parse_hex(val).value_or(0);
    else if (key == "CapPrm") st.cap_prm = parse_hex(val).value_or(0);
    else if (key == "CapBnd") st.cap_bnd = parse_hex(val).value_or(0);
    else if (key == "CapInh") st.cap_inh = parse_hex(val).value_or(0);
    else if (key == "CapAmb") st.cap_amb = parse_hex(val).value_or(0);
    else if (key == "NoNewPrivs") st.no_new_privs = to_num<int>(val).value_or(-1);
    else if (key == "Seccomp") st.seccomp = to_num<int>(val).value_or(-1);
    else if (key == "Seccomp_filters") st.seccomp_filters = to_num<int>(val).value_or(-1);
    else if (key == "Uid") ints(st.uid);
    else if (key == "Gid") ints(st.gid);
    else if (key == "NSpid") ints(st.ns_pid);
  });
  if (!have_name || !have_pid) return Error::usage("not a /proc/PID/status file (no Name:/Pid: lines)");
  return st;
}

std::vector<MapEntry> parse_maps(std::string_view text) {
  std::vector<MapEntry> out;
  for_each_line(text, [&](std::string_view line) {
    // start-end perms offset dev inode [path]
    auto f = fields(line);
    if (f.size() < 5) return;
    size_t dash = f[0].find('-');
    if (dash == std::string_view::npos) return;
    auto s = to_num<uint64_t>(f[0].substr(0, dash), 16);
    auto e = to_num<uint64_t>(f[0].substr(dash + 1), 16);
    auto off = to_num<uint64_t>(f[2], 16);
    auto ino = to_num<uint64_t>(f[4]);
    if (!s || !e || !off || !ino) return;
    MapEntry m;
    m.start = *s;
    m.end = *e;
    m.perms = std::string(f[1]);
    m.offset = *off;
    m.dev = std::string(f[3]);
    m.inode = *ino;
    if (f.size() > 5) {
      // The path may contain spaces: everything from the 6th field on.
      size_t at = static_cast<size_t>(f[5].data() - line.data());
      m.path = std::string(trim(line.substr(at)));
    }
    out.push_back(std::move(m));
  });
  return out;
}

MapSummary summarize_maps(const std::vector<MapEntry>& maps, const Prefixes& prefixes, std::string_view exe) {
  std::vector<std::string> order;
  for (const auto& [n, p] : prefixes) order.push_back(n);
  for (const char* n : {"executable", "libraries", "other files", "heap", "stack", "anonymous", "special"})
    order.push_back(n);
  std::map<std::string, MapGroup> groups;
  std::map<std::string, std::set<std::string>> seen;
  MapSummary sum;
  for (const auto& m : maps) {
    sum.total += m.size();
    std::string g;
    const std::string& p = m.path;
    if (p.empty()) g = "anonymous";
    else if (p == "[heap]") g = "heap";
    else if (p.rfind("[stack", 0) == 0) g = "stack";
    else if (p[0] == '[') g = "special";
    else {
      std::string_view clean = p;
      if (clean.size() > 10 && clean.substr(clean.size() - 10) == " (deleted)") clean.remove_suffix(10);
      for (const auto& [n, pre] : prefixes)
        if (!pre.empty() && under(clean, pre)) {
          g = n;
          break;
        }
      if (g.empty()) {
        if (!exe.empty() && clean == exe) g = "executable";
        else if (clean.find("/lib") != std::string_view::npos && clean.find(".so") != std::string_view::npos) g = "libraries";
        else g = "other files";
      }
    }
    MapGroup& grp = groups[g];
    grp.name = g;
    grp.bytes += m.size();
    ++grp.mappings;
    if (!p.empty() && p[0] != '[' && seen[g].insert(p).second) grp.files.push_back(p);
  }
  for (const auto& n : order) {
    auto it = groups.find(n);
    if (it != groups.end()) sum.groups.push_back(std::move(it->second));
  }
  return sum;
}

std::map<std::string, std::string> parse_environ(std::string_view text) {
  std::map<std::string, std::string> env;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t z = text.find('\0', pos);
    std::string_view kv = text.substr(pos, z == std::string_view::npos ? std::string_view::npos : z - pos);
    pos = z == std::string_view::npos ? text.size() : z + 1;
    if (kv.empty()) continue;
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    env[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  return env;
}

std::vector<CgroupEntry> parse_cgroup(std::string_view text) {
  std::vector<CgroupEntry> out;
  for_each_line(text, [&](std::string_view line) {
    size_t a = line.find(':');
    if (a == std::string_view::npos) return;
    size_t b = line.find(':', a + 1);
    if (b == std::string_view::npos) return;
    auto h = to_num<int>(line.substr(0, a));
    if (!h) return;
    out.push_back({*h, std::string(line.substr(a + 1, b - a - 1)), std::string(line.substr(b + 1))});
  });
  return out;
}

std::optional<NsLink> parse_ns_link(std::string_view t) {
  size_t c = t.find(":[");
  if (c == std::string_view::npos || c == 0 || t.back() != ']') return std::nullopt;
  auto ino = to_num<uint64_t>(t.substr(c + 2, t.size() - c - 3));
  if (!ino) return std::nullopt;
  return NsLink{std::string(t.substr(0, c)), *ino};
}

FdTarget classify_fd_target(std::string_view t) {
  FdTarget r;
  auto bracket = [&](std::string_view prefix) -> bool {
    if (t.substr(0, prefix.size()) != prefix || t.back() != ']') return false;
    r.inode = to_num<uint64_t>(t.substr(prefix.size(), t.size() - prefix.size() - 1)).value_or(0);
    return true;
  };
  if (t.empty()) {
    r.kind = "other";
    return r;
  }
  if (bracket("socket:[")) r.kind = "socket";
  else if (bracket("pipe:[")) r.kind = "pipe";
  else if (t.substr(0, 10) == "anon_inode") {
    r.kind = "anon";
    size_t c = t.find(':');
    r.detail = c == std::string_view::npos ? std::string(t) : std::string(t.substr(c + 1));
    if (!r.detail.empty() && r.detail.front() == '[' && r.detail.back() == ']')
      r.detail = r.detail.substr(1, r.detail.size() - 2);
  } else if (t.size() > 10 && t.substr(t.size() - 10) == " (deleted)") {
    r.kind = "deleted";
    r.detail = std::string(t.substr(0, t.size() - 10));
  } else if (t.substr(0, 5) == "/dev/") {
    r.kind = "device";
    r.detail = std::string(t);
  } else if (t[0] == '/') {
    r.kind = "file";
    r.detail = std::string(t);
  } else {
    r.kind = "other";
    r.detail = std::string(t);
  }
  return r;
}

std::map<uint64_t, std::string> parse_net_unix(std::string_view text) {
  std::map<uint64_t, std::string> out;
  bool header = true;
  for_each_line(text, [&](std::string_view line) {
    if (header) {
      header = false;
      return;
    }
    auto f = fields(line);
    if (f.size() < 7) return;
    auto ino = to_num<uint64_t>(f[6]);
    if (!ino) return;
    out[*ino] = f.size() > 7 ? std::string(f[7]) : std::string();
  });
  return out;
}

}  // namespace gsb::core::procfs
