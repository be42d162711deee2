// Seccomp profiles: the TOML format documented in profiles/README.md, loaded and resolved
// (includes, groups, symbolic constants) into one flat per-syscall policy. Pure: reads files,
// touches nothing else. Every problem is an Error::usage "FILE:LINE:COL: message".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gopls_sandbox/core/config.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::core {

enum class ActionKind { Allow, Errno, Kill, Log };

struct Action {
  ActionKind kind = ActionKind::Errno;
  int err = 1;  // EPERM; meaningful for Errno only (0 otherwise)
  bool operator==(const Action&) const = default;
};
// "allow", "errno(EPERM)", "kill", "log"
std::string action_text(const Action& a);

enum class CmpOp { Eq, Ne, Lt, Le, Gt, Ge, MaskedEq };
std::string_view cmp_op_name(CmpOp op) noexcept;  // "eq", ..., "masked_eq"

struct ArgCond {
  unsigned index = 0;  // 0..5
  CmpOp op = CmpOp::Eq;
  uint64_t value = 0;
  uint64_t mask = 0;   // MaskedEq only
  bool operator==(const ArgCond&) const = default;
};
bool cond_matches(const ArgCond& c, const uint64_t args[6]) noexcept;

// Where a policy entry came from.
struct Origin {
  std::string file;  // profile file path
  int line = 0, col = 0;
  std::string via;   // "@group" when reached through a group, else ""
};
std::string origin_text(const Origin& o);  // "profiles/gopls.toml:12:5 via @go-runtime"

struct CondRule {
  std::vector<ArgCond> conds;  // all must hold
  Origin origin;
};

// What the profile says about one syscall (see "How one syscall is decided" in README).
struct SyscallPolicy {
  std::string name;
  int nr = -1;
  std::optional<Action> base;      // unconditional action
  Origin base_origin;
  std::optional<Action> cond_action;  // action of every conditional rule
  std::vector<CondRule> cond_rules;   // any match -> cond_action
};

struct Profile {
  std::string name;
  std::string description;
  std::string source_path;
  std::vector<std::string> includes;  // resolved paths of all included files (depth first)
  // Its [sandbox] table: the lowest source of the launcher's settings (core/config.hpp), with
  // its includes merged in first (the including file is the later source).
  Options settings;
  Action default_action;              // errno(EPERM) unless set
  Origin default_origin;
  int unknown_errno = 38;             // ENOSYS
  std::map<int, SyscallPolicy> syscalls;  // by number; only syscalls the profile names
};

// Syscalls the launcher itself makes between loading the filter and execve: always allowed.
const std::vector<std::string_view>& always_allowed_syscalls();
bool is_always_allowed(int nr) noexcept;

// Search path for profile names, in order: $XDG_CONFIG_HOME (or $HOME/.config)
// /gopls-sandbox/profiles, the installed share dir, the source tree's profiles/.
// Pure: the caller passes the environment values (nullptr or "" = unset).
std::vector<std::string> profile_search_path(const char* xdg_config_home, const char* home);
// A name ("gopls") found as NAME.toml on the search path, or a path (contains '/' or ends in
// ".toml").
Result<std::string> find_profile(std::string_view name_or_path,
                                 const std::vector<std::string>& search_path);
Result<Profile> load_profile(std::string_view name_or_path,
                             const std::vector<std::string>& search_path);

// Symbolic constants usable in argument conditions: "CLONE_NEWUSER|CLONE_NEWNS" or "0x5412".
// nullopt when a part is unknown.
std::optional<uint64_t> parse_constant_expr(std::string_view text);

}  // namespace gsb::core
