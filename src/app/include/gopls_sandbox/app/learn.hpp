// Learn mode glue: collects the supervisor's records and writes the learned profile.
#pragma once

#include <string>

#include "gopls_sandbox/core/learn.hpp"
#include "gopls_sandbox/core/profile.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::app {

class Learner {
 public:
  void add(const core::DenialRecord& r) { set_.add(r); }
  // Writes atomically (temp file + rename); the profile includes `base` by its path.
  Result<void> write(const std::string& base_name, const std::string& base_path, const std::string& output) const;
  std::string command_line;

 private:
  core::LearnSet set_;
};

}  // namespace gsb::app
