// Issue 11: what of the caller's environment reaches the sandbox.
#include <gtest/gtest.h>

#include <algorithm>

#include "gopls_sandbox/core/sandbox_env.hpp"

namespace gsb::core {
namespace {

bool has(const std::vector<std::string>& env, const std::string& kv) {
  return std::find(env.begin(), env.end(), kv) != env.end();
}
bool has_name(const std::vector<std::string>& env, const std::string& n) {
  return std::any_of(env.begin(), env.end(), [&](const std::string& e) { return e.rfind(n + "=", 0) == 0; });
}

const std::vector<std::string> kCaller = {
    "PATH=/usr/bin", "HOME=/home/u", "LANG=C.UTF-8", "LC_ALL=C", "TERM=xterm", "GOPATH=/home/u/go",
    "GOFLAGS=-mod=mod", "GO111MODULE=on", "GOTELEMETRY_GOPLS_CLIENT_START_TIME=1", "CGO_ENABLED=1", "CC=gcc",
    "GITHUB_TOKEN=ghp_secret", "AWS_SECRET_ACCESS_KEY=aws", "SSH_AUTH_SOCK=/run/user/1/ssh", "DISPLAY=:0",
    "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1/bus", "GOOGLE_APPLICATION_CREDENTIALS=/k.json",
    "GOPLS_SANDBOX_PROFILE=x", "TMPDIR=/run/user/1", "HTTPS_PROXY=http://u:p@proxy:3128", "GOAUTH=netrc",
    "GOPROXY=https://user:pw@goproxy.corp/a|https://proxy.golang.org,direct", "EDITOR=vi"};

TEST(SandboxEnv, SecretsAndSessionSocketsDoNotPass) {
  auto env = sandbox_environment(kCaller, {}, false);
  for (const char* n : {"GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "SSH_AUTH_SOCK", "DISPLAY", "DBUS_SESSION_BUS_ADDRESS",
                        "GOOGLE_APPLICATION_CREDENTIALS", "GOPLS_SANDBOX_PROFILE", "TMPDIR", "HTTPS_PROXY", "GOAUTH",
                        "EDITOR"})
    EXPECT_FALSE(has_name(env, n)) << n;
  for (const char* kv : {"PATH=/usr/bin", "HOME=/home/u", "LANG=C.UTF-8", "LC_ALL=C", "TERM=xterm", "GOPATH=/home/u/go",
                         "GOFLAGS=-mod=mod", "GO111MODULE=on", "GOTELEMETRY_GOPLS_CLIENT_START_TIME=1", "CGO_ENABLED=1",
                         "CC=gcc"})
    EXPECT_TRUE(has(env, kv)) << kv;
  // Credentials in GOPROXY are removed without the network; the rest of the value is kept.
  EXPECT_TRUE(has(env, "GOPROXY=https://goproxy.corp/a|https://proxy.golang.org,direct"));
}

TEST(SandboxEnv, WithTheHostNetworkProxiesAndCredentialsPass) {
  auto env = sandbox_environment(kCaller, {}, true);
  EXPECT_TRUE(has(env, "HTTPS_PROXY=http://u:p@proxy:3128"));
  EXPECT_TRUE(has(env, "GOAUTH=netrc"));
  EXPECT_TRUE(has(env, "GOPROXY=https://user:pw@goproxy.corp/a|https://proxy.golang.org,direct"));
  EXPECT_FALSE(has_name(env, "GITHUB_TOKEN"));
}

TEST(SandboxEnv, ExtraEntriesAddTheCallersValueOrAValue) {
  auto env = sandbox_environment(kCaller, {"EDITOR", "NOT_SET_ANYWHERE", "FOO=bar=baz", "LANG=de_DE.UTF-8"}, false);
  EXPECT_TRUE(has(env, "EDITOR=vi"));
  EXPECT_FALSE(has_name(env, "NOT_SET_ANYWHERE"));
  EXPECT_TRUE(has(env, "FOO=bar=baz"));
  EXPECT_TRUE(has(env, "LANG=de_DE.UTF-8"));
  EXPECT_FALSE(has(env, "LANG=C.UTF-8"));
}

TEST(SandboxEnv, StripUrlCredentials) {
  EXPECT_EQ(strip_url_credentials("https://u:p@h/x"), "https://h/x");
  EXPECT_EQ(strip_url_credentials("https://u@h"), "https://h");
  EXPECT_EQ(strip_url_credentials("https://h/a@b"), "https://h/a@b");  // '@' in the path stays
  EXPECT_EQ(strip_url_credentials("off"), "off");
  EXPECT_EQ(strip_url_credentials("https://a:b@x,https://c:d@y|direct"), "https://x,https://y|direct");
  EXPECT_EQ(strip_url_credentials("sum.golang.org+key https://u:p@s.example"), "sum.golang.org+key https://s.example");
}

TEST(SandboxEnv, NamesOnTheAllowlist) {
  EXPECT_TRUE(env_passes_by_default("GOAMD64", false));
  EXPECT_TRUE(env_passes_by_default("GOPLSCACHE", false));
  EXPECT_TRUE(env_passes_by_default("XDG_CACHE_HOME", false));
  EXPECT_FALSE(env_passes_by_default("GOOGLE_API_KEY", false));
  EXPECT_FALSE(env_passes_by_default("GOPASSWORD", false));  // review finding: no GO* prefix
  EXPECT_TRUE(env_passes_by_default("GOTELEMETRY", false));
  EXPECT_TRUE(env_passes_by_default("GOEXPERIMENT", false));
  EXPECT_FALSE(env_passes_by_default("GOPLS_SANDBOX", false));
  EXPECT_FALSE(env_passes_by_default("http_proxy", false));
  EXPECT_TRUE(env_passes_by_default("http_proxy", true));
}

}  // namespace
}  // namespace gsb::core
