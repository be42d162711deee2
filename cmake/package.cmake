# CPack: a .deb (cd build && cpack -G DEB), installed under /usr, stripped. Tested by
# tests/package/test-deb.sh (ctest -L package).
set(CPACK_PACKAGE_NAME gopls-sandbox)
set(CPACK_PACKAGE_VENDOR "gopls-sandbox")
set(CPACK_PACKAGE_CONTACT "gopls-sandbox maintainers <maintainers@example.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION "gopls-sandbox is a drop-in replacement for the gopls binary an editor starts: it runs gopls, and every go command gopls spawns, inside Linux user/pid/mount/uts/ipc/net namespaces with a seccomp allowlist, so the language server sees only the Go toolchain, its caches and the workspace.")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://example.invalid/gopls-sandbox")
set(CPACK_RESOURCE_FILE_LICENSE "${CMAKE_SOURCE_DIR}/LICENSE")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
if(GSB_STATIC)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "")  # static-pie: no shared libraries at all
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libseccomp2 (>= 2.5), libcap2, zlib1g")
endif()
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gopls, golang-go")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The AppArmor profile is installed to an absolute path (/etc/apparmor.d): it must land in the
# staging root, which CPack only does with DESTDIR staging.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX "/usr")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
include(CPack)
