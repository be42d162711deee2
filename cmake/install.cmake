# What `cmake --install` puts where (prefix /usr/local by default; the .deb uses /usr):
#   BINDIR/gopls-sandbox                       the launcher, stripped
#   LIBEXECDIR/gopls-sandbox/bin/go            the go shim (src/shim/go_nest.cpp), stripped
#   DATADIR/gopls-sandbox/profiles/*.toml|md   shipped profiles
#   DATADIR/gopls-sandbox/groups.txt           `profile show --groups`, for reading
#   MANDIR/man1/gopls-sandbox.1.gz             the man page
#   bash and zsh completions
# The libexec link, the AppArmor profile and the uninstall target have their own files.

# Stripped by default: a RelWithDebInfo launcher is ~60 MB with its debug info, ~4.5 MB without
# (what the .deb ships). -DGSB_INSTALL_STRIP=OFF keeps the debug info.
option(GSB_INSTALL_STRIP "Strip the installed launcher (as cmake --install --strip does)" ON)
if(GSB_INSTALL_STRIP)
  install(CODE "set(CMAKE_INSTALL_DO_STRIP TRUE)")  # read by the install rule below
endif()
install(TARGETS gopls-sandbox RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS gopls-sandbox-go RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/${GSB_GO_SHIM_SUBDIR})
install(DIRECTORY profiles/ DESTINATION ${CMAKE_INSTALL_DATADIR}/gopls-sandbox/profiles
        FILES_MATCHING PATTERN "*.toml" PATTERN "*.md")

# The man page, gzip-compressed (Debian policy; `man` reads either form).
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/packaging/gopls-sandbox.1.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND gzip -9 -n -c ${CMAKE_SOURCE_DIR}/packaging/gopls-sandbox.1
          > ${CMAKE_BINARY_DIR}/packaging/gopls-sandbox.1.gz
  DEPENDS ${CMAKE_SOURCE_DIR}/packaging/gopls-sandbox.1
  VERBATIM)
# The syscall group table, as `gopls-sandbox profile show --groups` prints it (built binary).
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/packaging/groups.txt
  COMMAND ${CMAKE_COMMAND} -DEXE=$<TARGET_FILE:gopls-sandbox>
          -DOUT=${CMAKE_BINARY_DIR}/packaging/groups.txt
          -P ${CMAKE_SOURCE_DIR}/packaging/groups.cmake
  DEPENDS gopls-sandbox ${CMAKE_SOURCE_DIR}/packaging/groups.cmake
  VERBATIM)
add_custom_target(gsb_packaging_files ALL
  DEPENDS ${CMAKE_BINARY_DIR}/packaging/gopls-sandbox.1.gz ${CMAKE_BINARY_DIR}/packaging/groups.txt)

install(FILES ${CMAKE_BINARY_DIR}/packaging/gopls-sandbox.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_BINARY_DIR}/packaging/groups.txt DESTINATION ${CMAKE_INSTALL_DATADIR}/gopls-sandbox)
install(FILES packaging/completions/gopls-sandbox.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME gopls-sandbox)
install(FILES packaging/completions/_gopls-sandbox DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
