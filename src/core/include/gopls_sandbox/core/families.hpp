// Syscall families (issue 17 §1): when a trace or a learn run shows one member, the siblings
// that the same code path uses on another run are allowed too — a run with a cold gopls cache
// never calls utimes (a warm one does, on every cache hit), a warm one never creates the
// directories a cold one does. Used by `profile generate` and `learn`, next to the fallback
// pairs. Pure.
#pragma once

#include <cstdint>
#include <set>
#include <utility>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gsb::core {

struct SyscallFamily {
  std::string_view name;                      // "time-setting"
  std::vector<std::string_view> members;      // x86_64 names
  std::string_view why;                       // one line: which code path, which other run
};

// The documented table (profiles/README.md, "Syscall families").
std::span<const SyscallFamily> syscall_families();

struct FamilyAddition {
  std::string syscall;      // what is added
  std::string seen;         // the member that was used
  const SyscallFamily* family;
};
// Members of every family `used` touches that are not in `used` themselves, sorted by name;
// never a syscall of the never-learned table.
std::vector<FamilyAddition> family_additions(const std::set<std::string, std::less<>>& used);

// Cold-cache detection (the generate and learn summaries): which cache a path is under —
// {"gopls", root} for …/.cache/gopls/…, {"Go build", root} for …/go-build/…, else {"", ""}.
std::pair<std::string, std::string> cache_of_path(const std::string& path);
// The one-line warning for a cache that was only created into, never reused.
std::string cold_cache_warning(const std::string& kind, const std::string& root, uint64_t created);

}  // namespace gsb::core
