#include "gopls_sandbox/core/result.hpp"

#include <cerrno>
#include <cstring>
#include <string>

namespace gsb {

int exit_code_for(ErrorKind k) noexcept {
  switch (k) {
    case ErrorKind::Usage: return 2;
    case ErrorKind::Setup: return 125;
    case ErrorKind::NotExec: return 126;
    case ErrorKind::NotFound: return 127;
  }
  return 125;
}

namespace {
struct ErrnoEntry {
  int value;
  const char* name;
};
#define E(x) {x, #x}
constexpr ErrnoEntry kErrnos[] = {
    E(EPERM),   E(ENOENT),  E(ESRCH),     E(EINTR),     E(EIO),          E(ENXIO),        E(E2BIG),
    E(ENOEXEC), E(EBADF),   E(ECHILD),    E(EAGAIN),    E(ENOMEM),       E(EACCES),       E(EFAULT),
    E(ENOTBLK), E(EBUSY),   E(EEXIST),    E(EXDEV),     E(ENODEV),       E(ENOTDIR),      E(EISDIR),
    E(EINVAL),  E(ENFILE),  E(EMFILE),    E(ENOTTY),    E(ETXTBSY),      E(EFBIG),        E(ENOSPC),
    E(ESPIPE),  E(EROFS),   E(EMLINK),    E(EPIPE),     E(EDOM),         E(ERANGE),       E(EDEADLK),
    E(ENAMETOOLONG), E(ENOLCK), E(ENOSYS), E(ENOTEMPTY), E(ELOOP),       E(ENOMSG),       E(EIDRM),
    E(ENODATA), E(ETIME),   E(EOVERFLOW), E(EILSEQ),    E(EUSERS),       E(ENOTSOCK),     E(EDESTADDRREQ),
    E(EMSGSIZE), E(EPROTOTYPE), E(ENOPROTOOPT), E(EPROTONOSUPPORT), E(ESOCKTNOSUPPORT), E(EOPNOTSUPP),
    E(EPFNOSUPPORT), E(EAFNOSUPPORT), E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH),
    E(ENETRESET), E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS), E(EISCONN), E(ENOTCONN), E(ESHUTDOWN),
    E(ETIMEDOUT), E(ECONNREFUSED), E(EHOSTDOWN), E(EHOSTUNREACH), E(EALREADY), E(EINPROGRESS),
    E(ESTALE),  E(EDQUOT),  E(ECANCELED), E(EOWNERDEAD), E(ENOTRECOVERABLE), E(ERFKILL), E(EHWPOISON),
    E(ENOKEY),  E(EKEYEXPIRED), E(EKEYREVOKED), E(EKEYREJECTED), E(EMEDIUMTYPE), E(ENOMEDIUM),
    E(EREMOTEIO), E(EISNAM), E(ENOTUNIQ), E(EBADFD), E(EREMCHG), E(ELIBACC), E(ELIBBAD), E(ELIBEXEC),
    E(ENOSTR), E(ENOSR), E(ENOLINK), E(EPROTO), E(EBADMSG), E(ENOTSUP), E(EWOULDBLOCK), E(EDEADLOCK),
};
#undef E
}  // namespace

const char* errno_name(int err) noexcept {
  for (const auto& e : kErrnos)
    if (e.value == err) return e.name;
  return nullptr;
}

int errno_from_name(std::string_view name) noexcept {
  if (name.empty()) return -1;
  bool digits = true;
  for (char c : name) digits = digits && c >= '0' && c <= '9';
  if (digits) {
    if (name.size() > 4) return -1;
    int v = 0;
    for (char c : name) v = v * 10 + (c - '0');
    return v > 0 && v < 4096 ? v : -1;
  }
  for (const auto& e : kErrnos) {
    std::string_view n = e.name;
    if (n.size() != name.size()) continue;
    bool eq = true;
    for (size_t i = 0; i < n.size() && eq; ++i) {
      char c = name[i];
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      eq = c == n[i];
    }
    if (eq) return e.value;
  }
  return -1;
}

std::string errno_text(int err) {
  std::string s = std::strerror(err);
  if (const char* n = errno_name(err)) {
    s += " (";
    s += n;
    s += ")";
  }
  return s;
}

Error Error::sys(std::string what, const char* call, int err, ErrorKind k) {
  std::string m = std::move(what);
  m += ": ";
  m += call;
  m += ": ";
  m += errno_text(err);
  return Error{k, std::move(m), {}, err};
}

}  // namespace gsb
