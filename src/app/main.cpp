#include "gopls_sandbox/app/main.hpp"

#include <cstdio>
#include <string>
#include <vector>

#include "gopls_sandbox/app/commands.hpp"

namespace gsb::app {
int cmd_run(const Args&) { return 2; }
int cmd_exec(const Args&) { return 2; }
int cmd_dropin(const Args&) { return 2; }

int main(int argc, char** argv) {
  Args args(argv + 1, argv + argc);
  if (!args.empty()) {
    std::string sub = args[0];
    Args rest(args.begin() + 1, args.end());
    if (sub == "profile") return cmd_profile(rest);
    if (sub == "learn") return cmd_learn(rest);
    if (sub == "diagnose") return cmd_diagnose(rest);
    if (sub == "inspect") return cmd_inspect(rest);
    if (sub == "doctor") return cmd_doctor(rest);
    if (sub == "run") return cmd_run(rest);
    if (sub == "exec") return cmd_exec(rest);
  }
  return cmd_dropin(args);
}
}  // namespace gsb::app
