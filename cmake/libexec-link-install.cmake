# Install-time script (see libexec-link.cmake): makes $DESTDIR$PREFIX/LIBEXECDIR/gopls-sandbox/gopls
# a symbolic link to GSB_GOPLS_LINK_TARGET and records it in install_manifest.txt (so the
# uninstall target removes it).
set(_dir "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/${GSB_LIBEXECDIR}/gopls-sandbox")
file(MAKE_DIRECTORY "${_dir}")
file(REMOVE "${_dir}/gopls")
file(CREATE_LINK "${GSB_GOPLS_LINK_TARGET}" "${_dir}/gopls" SYMBOLIC)
message(STATUS "Installing: ${_dir}/gopls -> ${GSB_GOPLS_LINK_TARGET}")
list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${_dir}/gopls")
