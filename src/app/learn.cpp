#include "gopls_sandbox/app/learn.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "gopls_sandbox/app/commands.hpp"
#include "gopls_sandbox/app/launch.hpp"
#include "gopls_sandbox/core/text.hpp"
#include "gopls_sandbox/sys/io.hpp"
#include "gopls_sandbox/sys/output_file.hpp"
#include "gopls_sandbox/sys/self.hpp"

namespace gsb::app {

namespace {
// The learned profile must load before it replaces anything (a bug here must not leave the
// user with a profile that breaks the next launch).
Result<void> loads(const std::string& tmp, void*) {
  auto p = core::load_profile(tmp, core::profile_search_path(sys::env_or_null("XDG_CONFIG_HOME"), sys::env_or_null("HOME")));
  if (!p) return Error::usage("the learned profile does not load (a bug, please report): " + p.error().message);
  return {};
}
}  // namespace

Result<void> Learner::write(const std::string& base_name, const std::string& base_path,
                            const std::string& output) const {
  if (output.empty()) return Error::usage("learn: no output file (-o FILE)");
  core::LearnedProfile lp = core::learned_profile(set_, core::profile_name_from_path(output), base_path, command_line);
  if (auto w = sys::replace_output_file(output, lp.toml, 0644, loads, nullptr); !w) return w;
  std::fprintf(stderr, "gopls-sandbox: learned %zu syscalls beyond %s; wrote %s\n", set_.syscalls().size(),
               core::printable(base_name).c_str(), core::printable(output).c_str());
  if (!lp.family_added.empty()) {
    std::string line;
    for (const auto& f : lp.family_added) line += (line.empty() ? "" : ", ") + f;
    std::fprintf(stderr, "  added by syscall family: %s\n", line.c_str());
  }
  for (const auto& l : lp.summary) std::fprintf(stderr, "  %s\n", l.c_str());
  return {};
}

}  // namespace gsb::app
