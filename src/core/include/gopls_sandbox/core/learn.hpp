// Learn mode's output: the base profile plus every syscall the run needed that the base
// refused, as a profile in the documented TOML format. Pure.
//
// Never learned (core/never_learned.hpp): calls the supervisor refused during learning are
// kept apart and only reported; an observed ioctl is learned with the TIOCSTI/TIOCLINUX
// refusal kept, clone only without namespace flags, personality only as the query.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gopls_sandbox/core/denials.hpp"

namespace gsb::core {

struct LearnedSyscall {
  uint64_t count = 0;
  DenialRecord example;  // the first call seen
};

class LearnSet {
 public:
  void add(const DenialRecord& r);
  // Let through and learned.
  const std::map<std::string, LearnedSyscall>& syscalls() const { return syscalls_; }
  // Refused during learning, never learned (the never-learned table).
  const std::map<std::string, LearnedSyscall>& never_learned() const { return never_; }
  uint64_t foreign() const { return foreign_; }  // x32 / i386 calls: reported, never allowed
  // Creations into and reuses (access-time updates) of the gopls / Go build cache, by kind,
  // for the cold-cache warning. Only calls the base refused are seen: with a base that allows
  // file calls (gopls) nothing is counted.
  struct CacheUse {
    std::string root;
    uint64_t created = 0, reused = 0;
  };
  const std::map<std::string, CacheUse>& caches() const { return caches_; }

 private:
  std::map<std::string, LearnedSyscall> syscalls_, never_;
  std::map<std::string, CacheUse> caches_;
  uint64_t foreign_ = 0;
};

struct LearnedProfile {
  std::string toml;
  std::vector<std::string> allowed;         // learned syscalls, plain or with conditions
  std::vector<std::string> family_added;    // "utimensat (time-setting, seen utimes)"
  std::vector<std::string> summary;         // lines for stderr: never learned, conditions, …
};

// name: the new profile's name; base_ref: what to `include` (a path or a name).
LearnedProfile learned_profile(const LearnSet& set, const std::string& name, const std::string& base_ref,
                               const std::string& command_line);
std::string learned_profile_toml(const LearnSet& set, const std::string& name, const std::string& base_ref,
                                 const std::string& command_line);
// A valid profile name from a file name: "out/my-gopls.toml" -> "my-gopls".
std::string profile_name_from_path(const std::string& path);

}  // namespace gsb::core
