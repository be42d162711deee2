#include "gopls_sandbox/sys/net.hpp"

#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gsb::sys {

int loopback_up() noexcept {
  int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return errno;
  struct ifreq ifr;
  std::memset(&ifr, 0, sizeof ifr);
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  int e = 0;
  if (::ioctl(s, SIOCGIFFLAGS, &ifr) != 0) {
    e = errno;
  } else {
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
    if (::ioctl(s, SIOCSIFFLAGS, &ifr) != 0) e = errno;
  }
  ::close(s);
  return e;
}

int proxy_listener(unsigned addr, unsigned short port, int* fd) noexcept {
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return errno;
  struct sockaddr_in sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(addr);
  if (::bind(s, reinterpret_cast<struct sockaddr*>(&sa), sizeof sa) != 0 || ::listen(s, 128) != 0) {
    int e = errno;
    ::close(s);
    return e;
  }
  *fd = s;
  return 0;
}

}  // namespace gsb::sys
