// Errors as values. Core and system code return Result<T>; only the app layer turns an Error
// into a message and an exit code.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace gsb {

// Exit classes of the launcher (documented in README "Exit status").
enum class ErrorKind {
  Usage,       // bad command line, config file or profile: exit 2
  Setup,       // sandbox setup failed: exit 125
  NotExec,     // program found but not executable: exit 126
  NotFound,    // program not found: exit 127
};

int exit_code_for(ErrorKind k) noexcept;

struct Error {
  ErrorKind kind = ErrorKind::Setup;
  std::string message;  // one line: "bind /x → /x: mount: Permission denied (EACCES)"
  std::string hint;     // optional: what to do about it
  int err = 0;          // the errno of a failed system call (Error::sys), else 0

  static Error usage(std::string m, std::string h = {}) { return {ErrorKind::Usage, std::move(m), std::move(h)}; }
  static Error setup(std::string m, std::string h = {}) { return {ErrorKind::Setup, std::move(m), std::move(h)}; }
  // "<what>: <syscall>: <strerror> (<ENAME>)" from an errno value.
  static Error sys(std::string what, const char* call, int err, ErrorKind k = ErrorKind::Setup);
};

// "Permission denied (EACCES)"
std::string errno_text(int err);
// "EACCES" (or "E123" when unknown)
const char* errno_name(int err) noexcept;
// Parse "EACCES" / "eacces" / "13"; returns -1 when unknown.
int errno_from_name(std::string_view name) noexcept;

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T v) : v_(std::move(v)) {}
  Result(Error e) : v_(std::move(e)) {}
  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : e_(std::move(e)), ok_(false) {}
  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const Error& error() const& { return e_; }
  Error&& error() && { return std::move(e_); }

 private:
  Error e_;
  bool ok_ = true;
};

}  // namespace gsb
