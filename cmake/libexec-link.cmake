# LIBEXECDIR/gopls-sandbox/gopls -> ../../bin/gopls-sandbox: the path an editor is pointed at
# ("gopls" as the file name, so editors that check the name accept it). Relative, and made under
# the prefix in effect at install time, so it also works in a DESTDIR or CPack staging root and
# in an unpacked .deb. The work is in cmake/libexec-link-install.cmake (an install script).
file(RELATIVE_PATH GSB_GOPLS_LINK_TARGET
     "${CMAKE_INSTALL_FULL_LIBEXECDIR}/gopls-sandbox" "${CMAKE_INSTALL_FULL_BINDIR}/gopls-sandbox")
install(CODE "set(GSB_LIBEXECDIR \"${CMAKE_INSTALL_LIBEXECDIR}\")
set(GSB_GOPLS_LINK_TARGET \"${GSB_GOPLS_LINK_TARGET}\")")
install(SCRIPT ${CMAKE_CURRENT_LIST_DIR}/libexec-link-install.cmake)
