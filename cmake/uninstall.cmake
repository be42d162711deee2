# `cmake --build build --target uninstall`: removes what the last `cmake --install build`
# installed, as listed in build/install_manifest.txt (cmake/uninstall-script.cmake).
add_custom_target(uninstall
  COMMAND ${CMAKE_COMMAND} -DMANIFEST=${CMAKE_BINARY_DIR}/install_manifest.txt
          -P ${CMAKE_CURRENT_LIST_DIR}/uninstall-script.cmake
  COMMENT "Removing the files listed in install_manifest.txt"
  VERBATIM)
