// Learn mode's output: the base profile plus every syscall the run needed that the base
// refused, as a profile in the documented TOML format. Pure.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "gopls_sandbox/core/denials.hpp"

namespace gsb::core {

struct LearnedSyscall {
  uint64_t count = 0;
  DenialRecord example;  // the first call seen
};

class LearnSet {
 public:
  void add(const DenialRecord& r);
  const std::map<std::string, LearnedSyscall>& syscalls() const { return syscalls_; }
  uint64_t foreign() const { return foreign_; }  // x32 / i386 calls: reported, never allowed

 private:
  std::map<std::string, LearnedSyscall> syscalls_;
  uint64_t foreign_ = 0;
};

// name: the new profile's name; base_ref: what to `include` (a path or a name).
std::string learned_profile_toml(const LearnSet& set, const std::string& name, const std::string& base_ref,
                                 const std::string& command_line);
// A valid profile name from a file name: "out/my-gopls.toml" -> "my-gopls".
std::string profile_name_from_path(const std::string& path);

}  // namespace gsb::core
