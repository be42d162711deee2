# Install-time script (see apparmor.cmake). file(INSTALL) adds $DESTDIR itself and records the
# file in install_manifest.txt.
if(CMAKE_INSTALL_PREFIX MATCHES "^/usr(/local)?/*$")
  set(_dir "/etc/apparmor.d")
else()
  set(_dir "${CMAKE_INSTALL_PREFIX}/etc/apparmor.d")
endif()
file(INSTALL "${GSB_APPARMOR_PROFILE}" DESTINATION "${_dir}")
