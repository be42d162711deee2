// Which of the caller's environment variables reach the sandbox (issue 11: secrets such as
// GITHUB_TOKEN, AWS_*, SSH_AUTH_SOCK, DISPLAY or DBUS_SESSION_BUS_ADDRESS must not). Pure.
//
// Passed by default: what gopls, go, the C toolchain and git need —
//   PATH HOME USER LOGNAME PWD SHELL LANG LANGUAGE LC_* TERM COLORTERM NO_COLOR TZ
//   XDG_CONFIG_HOME XDG_CACHE_HOME XDG_DATA_HOME (gopls and go derive cache/config paths from them)
//   Go's own variables by name (GOPATH, GOFLAGS, GOPROXY, GOAMD64, GO111MODULE… — kGo in the
//   .cpp; not a GO* prefix, which would pass GOOGLE_APPLICATION_CREDENTIALS), GOTELEMETRY_*, CGO_*,
//   GOPACKAGESDRIVER, CC CXX AR FC GCCGO PKG_CONFIG PKG_CONFIG_PATH PKG_CONFIG_LIBDIR
//   PKG_CONFIG_SYSROOT_DIR CPATH C_INCLUDE_PATH CPLUS_INCLUDE_PATH LIBRARY_PATH
// With the host network only: http_proxy/HTTP_PROXY, https_proxy/HTTPS_PROXY, no_proxy/NO_PROXY,
//   all_proxy/ALL_PROXY, SSL_CERT_FILE, SSL_CERT_DIR.
// Without the network, GOAUTH is dropped and user:password@ is removed from the URLs in
// GOPROXY, GOSUMDB, GONOSUMDB, GOFLAGS and GOVCS (nothing inside could use them, and code inside
// could read them).
// Everything else is dropped unless named with --env NAME (the caller's value) or given as
// --env NAME=VALUE (config `env`, GOPLS_SANDBOX_ENV). GOPLS_SANDBOX_* and TMPDIR never pass.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gsb::core {

bool env_passes_by_default(std::string_view name, bool network);
// "https://u:p@proxy.example/x,direct" -> "https://proxy.example/x,direct"
std::string strip_url_credentials(std::string_view value);
// The caller's "NAME=VALUE" list filtered as above, then `extra` applied in order.
std::vector<std::string> sandbox_environment(const std::vector<std::string>& caller, const std::vector<std::string>& extra,
                                             bool network);

}  // namespace gsb::core
