// Name/number lookups over the x86_64 syscall table (data in syscall_table_data.cpp).
#include "gopls_sandbox/core/syscall_table.hpp"

#include <algorithm>
#include <unordered_map>

namespace gsb::core {

namespace {
const std::unordered_map<std::string_view, int>& by_name() {
  static const std::unordered_map<std::string_view, int> m = [] {
    std::unordered_map<std::string_view, int> r;
    for (const auto& s : x86_64_syscalls()) r.emplace(s.name, s.nr);
    return r;
  }();
  return m;
}
}  // namespace

int syscall_nr(std::string_view name) noexcept {
  const auto& m = by_name();
  auto it = m.find(name);
  return it == m.end() ? -1 : it->second;
}

std::string_view syscall_name(int nr) noexcept {
  const auto& t = x86_64_syscalls();
  auto it = std::lower_bound(t.begin(), t.end(), nr,
                             [](const SyscallInfo& s, int n) { return s.nr < n; });
  return (it != t.end() && it->nr == nr) ? it->name : std::string_view{};
}

int syscall_table_max_nr() noexcept { return x86_64_syscalls().back().nr; }

std::vector<std::string> closest_syscall_names(std::string_view name, size_t max) {
  const size_t limit = std::max<size_t>(2, name.size() / 3);
  std::vector<std::pair<size_t, std::string_view>> cands;
  for (const auto& s : x86_64_syscalls()) {
    size_t d = edit_distance(name, s.name);
    if (d <= limit) cands.emplace_back(d, s.name);
  }
  std::sort(cands.begin(), cands.end());
  std::vector<std::string> out;
  for (const auto& [d, n] : cands) {
    if (out.size() >= max) break;
    if (!out.empty() && d > cands.front().first) break;  // only the best distance
    out.emplace_back(n);
  }
  return out;
}

}  // namespace gsb::core
