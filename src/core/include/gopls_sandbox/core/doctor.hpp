// `gopls-sandbox doctor`: the pure parts — JSONC, checks computed from facts the app gathered,
// the startup reproduction's verdict and the report (table and JSON).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/plan.hpp"
#include "gopls_sandbox/core/result.hpp"

namespace gsb::core {

enum class CheckStatus { Ok, Warning, Error };
const char* status_name(CheckStatus s);  // "ok" | "warning" | "error"

struct Check {
  std::string name;    // "go", "GOROOT", "user namespaces", "vscode go.alternateTools.gopls", ...
  CheckStatus status = CheckStatus::Ok;
  std::string detail;  // one line: what was found
  std::string fix;     // one line: what to do (empty when ok)
};

// ---- JSONC (VS Code settings) ----
// Removes // and /* */ comments (outside strings; replaced by spaces/newlines so that line and
// column numbers stay the same) and commas directly before } or ].
std::string strip_jsonc(std::string_view text);
Result<json::Value> parse_jsonc(std::string_view text);

// ---- Go directories ----
struct DirFacts {
  bool exists = false, is_dir = false, readable = false, writable = false;
  // When missing: whether the nearest existing parent lets the caller create it.
  bool creatable = false;
};
// need_write: caches (GOMODCACHE, GOCACHE); may_be_missing: created on demand (caches, GOPATH).
Check check_go_dir(const std::string& name, const std::string& path, const DirFacts& f, bool need_write,
                   bool may_be_missing);

// ---- kernel ----
struct UsernsFacts {
  bool root = false;                            // the caller is uid 0
  std::optional<long> max_user_namespaces;      // /proc/sys/user/max_user_namespaces
  std::optional<long> unprivileged_userns_clone;  // Debian/older Ubuntu kernels
  std::optional<long> apparmor_restrict;        // Ubuntu 23.10+: kernel.apparmor_restrict_unprivileged_userns
  std::optional<int> unshare_errno;             // probe: 0 = a user namespace could be created
  std::optional<int> unprivileged_errno;        // root only: the same probe as uid/gid 65534
};
std::vector<Check> check_userns(const UsernsFacts& f);

struct SeccompFacts {
  bool filter_mode = false;       // seccomp filters can be installed (CONFIG_SECCOMP_FILTER)
  std::string actions_avail;      // /proc/sys/kernel/seccomp/actions_avail
  bool user_notif = false;        // SECCOMP_RET_USER_NOTIF works
};
std::vector<Check> check_seccomp(const SeccompFacts& f);

// ---- VS Code settings ----
struct ExecFacts {
  bool exists = false, is_dir = false, executable = false;
  bool is_launcher = false;  // the same file as this launcher, or named gopls-sandbox
  std::string resolved;      // realpath
};
struct SettingsContext {
  std::string file;       // settings file (for messages)
  std::string home, workspace;
  std::map<std::string, std::string> env;  // for ${env:NAME}
  std::optional<GoEnv> go;                 // `go env` of the caller
  std::string gobin;                       // `go env GOBIN`
  std::function<ExecFacts(const std::string&)> probe_exec;
  std::function<bool(const std::string&)> dir_exists;
  std::function<std::string(const std::string&)> real_path;  // canonical path or the input
};
// vscode-go's path expansion: leading ~, ${userHome}, ${workspaceFolder}, ${workspaceRoot},
// ${env:NAME}.
std::string expand_vscode_path(const std::string& v, const SettingsContext& ctx);
std::vector<Check> check_vscode_settings(const json::Value& settings, const SettingsContext& ctx);

// ---- startup reproduction ----
struct StartupStep {
  std::string name;  // "initialize", "initialized", "shutdown", "exit"
  double ms = 0;     // since the launcher was started
};
struct StartupResult {
  bool ran = false;
  std::vector<StartupStep> steps;     // completed steps
  std::string failed_step;            // empty when the handshake completed
  bool timed_out = false;
  int exit_status = -1;               // -1: still running (killed by doctor) or unknown
  double timeout_s = 30;
  std::string stderr_tail;            // last lines of the launcher's stderr
  std::vector<json::Value> denials;   // records of the denial log
  std::string denial_log;             // kept when it holds denials
  std::string note;                   // e.g. an LSP error returned by initialize
  std::string server_name;            // serverInfo from initialize
};
// The records of a JSON Lines denial log (lines that do not parse are skipped).
std::vector<json::Value> parse_denial_log(std::string_view jsonl);
// "mount ×2 (comm go, EPERM, rule gopls.toml:12:1), ptrace (comm gopls, EPERM, default)"
std::string summarize_denials(const std::vector<json::Value>& records, size_t max_items = 5);
// The last `lines` non-empty lines of text, at most max_bytes.
std::string tail_lines(std::string_view text, size_t lines = 8, size_t max_bytes = 1500);
// The verdict on a startup reproduction: status, cause (detail) and hint (fix) of the check
// "startup reproduction".
Check startup_check(const StartupResult& r);
json::Value startup_to_json(const StartupResult& r);

// The handshake's pure parts (the app drives it over sys/lsp_client.hpp):
// initialize's params as an editor (process `process_id`) opening `workspace` sends them
// (rootUri and one folder).
json::Value startup_initialize_params(const std::string& workspace, int process_id);
// "gopls v0.23.0, built with go1.26.8" from initialize's result.serverInfo ("" without one;
// gopls puts its whole `version -json` document into serverInfo.version). At most 120 bytes + "…".
std::string startup_server_name(const json::Value& initialize_response);
// A step's answer: "" when it completed, else the note ("initialize returned an error: MSG").
std::string startup_step_error(const std::string& step, const json::Value& response);
// The note when the server's exit status after `exit` is not 0 ("" when it is).
std::string startup_exit_error(int exit_status);

// ---- gopls and go versions (issue 15) ----
// A Go release version ("go1.26.8", "1.26", "go1.27rc1") as {major, minor, patch, pre}; pre is 0
// for a release and 1 + the rc/beta number otherwise (a release sorts after its candidates).
struct GoVersion {
  int major = 0, minor = 0, patch = 0;
  int pre = 0;  // 0 = release; rcN/betaN sort before it
  bool ok = false;
};
GoVersion parse_go_version(std::string_view v);
int compare_go_versions(const GoVersion& a, const GoVersion& b);  // <0, 0, >0
// The go and toolchain lines of a go.mod or go.work file ("" when absent).
struct GoModVersions {
  std::string go, toolchain;
};
GoModVersions parse_gomod_versions(std::string_view text);

// "gopls vs go": an old gopls type-checks with the standard library of the go it runs; a go newer
// than the one gopls was built with makes it fail, sandboxed or not. built_with from `go version
// GOPLS` ("" when unknown), go_version from `go env GOVERSION`.
Check check_gopls_go_match(const std::string& gopls, const std::string& built_with, const std::string& go,
                           const std::string& go_version);

struct ToolchainFacts {
  std::string file;            // the go.mod/go.work that was read ("" when none)
  GoModVersions wanted;        // its go and toolchain lines
  std::string local_version;   // `go env GOVERSION` of the go on PATH (go1.26.8)
  std::string gotoolchain;     // `go env GOTOOLCHAIN` (auto, local, go1.27.0+auto, ...)
  std::string gomodcache;      // where go would put a downloaded toolchain
  bool cached = false;         // golang.org/toolchain@v0.0.1-<needed>.<goos>-<goarch> is in GOMODCACHE
  bool network = false;        // the sandbox shares the host network (--share-net / profile)
};
// The toolchain a workspace asks for (GOTOOLCHAIN): ok when the local go is new enough or the
// toolchain is already in GOMODCACHE (bound into the sandbox); an error naming the way out when go
// would have to download it (the sandbox has no network) or GOTOOLCHAIN=local forbids switching.
Check check_toolchain(const ToolchainFacts& f);
// The version go switches to: the toolchain line if set, else the go line ("go1.27.0"; "" if none).
std::string wanted_toolchain(const GoModVersions& v);

// ---- report ----
int doctor_exit_code(const std::vector<Check>& checks);  // 1 when any error, else 0

// What doctor found, computed once; the app prints it as text or JSON (to_text / to_json render
// this value and decide nothing).
struct DoctorReport {
  std::vector<std::string> notes;        // lines shown first (the isolation mode without namespaces)
  std::vector<Check> checks;             // in order; the startup reproduction's verdict last
  std::optional<StartupResult> startup;  // absent with --no-startup
  // The startup failure as shown under the table (empty when it did not fail).
  std::string startup_failure;             // "startup reproduction failed at `initialize`; exit status 1"
  std::vector<std::string> startup_stderr; // its last stderr lines
  int ok = 0, warnings = 0, errors = 0;
  int exit_status = 0;                   // doctor_exit_code(checks)
};
// notes + checks (+ the startup result, whose verdict startup_check() appends) -> the report.
DoctorReport make_doctor_report(std::vector<std::string> notes, std::vector<Check> checks,
                                std::optional<StartupResult> startup);
// Human table: the notes, STATUS CHECK DETAIL, a "fix:" line under every check that is not ok,
// the startup failure with its stderr, then a summary line.
std::string to_text(const DoctorReport& r);
// {"notes", "checks", "startup", "summary", "exit_status"}
json::Value to_json(const DoctorReport& r);

}  // namespace gsb::core
