// What a launch says: the --dry-run document, the plan's warnings and notes, pid 1's reports
// (inode checks, the copy-on-write fallback), the denial summary and launch failures. stdout
// carries only the dry-run document (otherwise it is the program's, i.e. the LSP stream).
#pragma once

#include <functional>

#include <map>
#include <string>

#include "gopls_sandbox/app/launch.hpp"
#include "gopls_sandbox/app/supervisor.hpp"
#include "gopls_sandbox/core/result.hpp"
#include "gopls_sandbox/core/spec_wire.hpp"
#include "gopls_sandbox/sys/child_msg.hpp"

namespace gsb::app {

// --dry-run: the plan, inode checks, caches, profile and Landlock rules as JSON on stdout.
void print_dry_run(const Prepared& prep);
// The plan's warnings (always) and, with verbose, what is about to run and the notes.
void say_plan(const Prepared& prep, bool verbose);

// pid 1's informational records, as they arrive during the launch.
class SandboxReports {
 public:
  SandboxReports(const Prepared& prep, DenialLog& log, bool verbose) : prep_(prep), log_(log), verbose_(verbose) {}
  void on_report(const core::Pid1Report& r);
  // Issue 13: a reduced mode is also told to the editor (window/showMessage), when set.
  std::function<void(const std::string& key, const std::string& text)> tell_client;

 private:
  void cache_fallback(const core::CacheFallbackReport& f);
  void inode_check(const core::InodeCheckReport& c);
  const Prepared& prep_;
  DenialLog& log_;
  bool verbose_;
  bool cache_fallback_said_ = false;
};

// After the run: the refused-calls summary (not in learn mode) and a denial-log problem.
void say_denials(const Supervisor& supervisor, const DenialLog& log);
// A setup or exec failure pid 1 (or the program's process) reported, as the launcher's error.
Error launch_failure(const sys::ChildMsg& m);

}  // namespace gsb::app
