// Name/number lookups over the syscall tables (data in syscall_table_data.cpp).
#include "gopls_sandbox/core/syscall_table.hpp"

#include <algorithm>
#include <unordered_map>

namespace gsb::core {

namespace {
using NameMap = std::unordered_map<std::string_view, int>;
NameMap index(const std::vector<SyscallInfo>& t) {
  NameMap r;
  for (const auto& s : t) r.emplace(s.name, s.nr);
  return r;
}
const NameMap& by_name() {
  static const NameMap m = index(x86_64_syscalls());
  return m;
}
const std::vector<SyscallInfo>& table_of(SyscallAbi abi) {
  return abi == SyscallAbi::x86_64 ? x86_64_syscalls() : abi == SyscallAbi::i386 ? i386_syscalls() : x32_syscalls();
}
std::string_view name_in(const std::vector<SyscallInfo>& t, int nr) {
  auto it = std::lower_bound(t.begin(), t.end(), nr, [](const SyscallInfo& s, int n) { return s.nr < n; });
  return (it != t.end() && it->nr == nr) ? it->name : std::string_view{};
}
constexpr int kX32SyscallBit = 0x40000000;
}  // namespace

int syscall_nr(SyscallAbi abi, std::string_view name) noexcept {
  if (abi == SyscallAbi::x86_64) return syscall_nr(name);
  static const NameMap i386 = index(i386_syscalls());
  static const NameMap x32 = index(x32_syscalls());
  const NameMap& m = abi == SyscallAbi::i386 ? i386 : x32;
  auto it = m.find(name);
  return it == m.end() ? -1 : it->second;
}

std::string_view syscall_name(SyscallAbi abi, int nr) noexcept {
  if (abi == SyscallAbi::x32 && nr >= kX32SyscallBit) nr -= kX32SyscallBit;
  return name_in(table_of(abi), nr);
}

int syscall_nr(std::string_view name) noexcept {
  const auto& m = by_name();
  auto it = m.find(name);
  return it == m.end() ? -1 : it->second;
}

std::string_view syscall_name(int nr) noexcept { return name_in(x86_64_syscalls(), nr); }

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
