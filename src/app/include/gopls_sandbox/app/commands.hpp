// Entry points of the launcher's subcommands. main() picks one from argv; each builds its own
// CLI11 parser so the subcommands stay independent. `args` excludes the program name and the
// subcommand word itself. Each returns the process exit status.
#pragma once

#include <string>
#include <vector>

namespace gsb::app {

using Args = std::vector<std::string>;

int cmd_run(const Args& args);      // gopls-sandbox run [OPTIONS] [-- GOPLS-ARGS...]
int cmd_exec(const Args& args);     // gopls-sandbox exec [OPTIONS] -- PROGRAM [ARGS...]
int cmd_dropin(const Args& args);   // gopls-sandbox ARGS... (everything goes to gopls)
int cmd_profile(const Args& args);  // gopls-sandbox profile list|check|show|export|generate
int cmd_profile_generate(const Args& args);  // profile generate --strace LOG... (args after 'generate')
int cmd_learn(const Args& args);    // gopls-sandbox learn [OPTIONS] -o FILE [-- ARGS...]
int cmd_diagnose(const Args& args); // gopls-sandbox diagnose LOG...
int cmd_inspect(const Args& args);  // gopls-sandbox inspect PID
int cmd_doctor(const Args& args);   // gopls-sandbox doctor
int cmd_cache(const Args& args);    // gopls-sandbox cache list|du|prune

}  // namespace gsb::app
