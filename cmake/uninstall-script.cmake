# cmake -DMANIFEST=build/install_manifest.txt -P uninstall-script.cmake
# Removes every file and link the manifest lists, then the directories of ours that are left
# empty (LIBEXECDIR/gopls-sandbox, DATADIR/gopls-sandbox/...): never a shared directory such as
# bin/ or share/man/man1.
if(NOT EXISTS "${MANIFEST}")
  message(FATAL_ERROR "${MANIFEST} not found: nothing was installed from this build directory "
                      "(run `cmake --install` first, or remove the files by hand)")
endif()
file(STRINGS "${MANIFEST}" _files)
set(_dirs)
foreach(_f IN LISTS _files)
  if(IS_SYMLINK "${_f}" OR EXISTS "${_f}")
    message(STATUS "Removing: ${_f}")
    file(REMOVE "${_f}")
  else()
    message(STATUS "Already gone: ${_f}")
  endif()
  # Directories named gopls-sandbox (and below them) on the way up are ours.
  get_filename_component(_d "${_f}" DIRECTORY)
  while(_d MATCHES "/gopls-sandbox(/|$)")
    list(APPEND _dirs "${_d}")
    get_filename_component(_d "${_d}" DIRECTORY)
  endwhile()
endforeach()
list(REMOVE_DUPLICATES _dirs)
list(SORT _dirs)
list(REVERSE _dirs)  # deepest first
foreach(_d IN LISTS _dirs)
  file(GLOB _left "${_d}/*")
  if(IS_DIRECTORY "${_d}" AND NOT _left)
    message(STATUS "Removing empty directory: ${_d}")
    file(REMOVE "${_d}")
    execute_process(COMMAND rmdir "${_d}")
  endif()
endforeach()
