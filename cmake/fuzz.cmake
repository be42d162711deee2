# libFuzzer targets over the core library (scripts/fuzz.sh: clang-14, separate build dir).
if(NOT GSB_BUILD_FUZZ)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "GSB_BUILD_FUZZ needs clang (-DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_C_COMPILER=clang-14)")
endif()
# An instrumented copy of the core library: coverage feedback and ASan/UBSan must reach the code
# under test, while gsb_core itself (and the launcher) stay uninstrumented. The profile fuzzer
# loads files and compiles filters: the sys files behind core's FileReader, FilterCompiler and
# gunzip come along.
set(GSB_FUZZ_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined
    -fno-omit-frame-pointer -g)
add_library(gsb_core_fuzz STATIC ${GSB_CORE_SOURCES} src/sys/files.cpp src/sys/seccomp_compile.cpp
            src/sys/gunzip.cpp)
target_include_directories(gsb_core_fuzz PUBLIC $<TARGET_PROPERTY:gsb_core,INTERFACE_INCLUDE_DIRECTORIES>
                           src/sys/include)  # for files.cpp, seccomp_compile.cpp
target_compile_definitions(gsb_core_fuzz PUBLIC $<TARGET_PROPERTY:gsb_core,INTERFACE_COMPILE_DEFINITIONS>
                           ${GSB_PROFILE_DIR_DEFINITIONS})
target_link_libraries(gsb_core_fuzz PUBLIC gsb_tomlpp gsb::seccomp gsb::zlib)
target_compile_options(gsb_core_fuzz PRIVATE -fsanitize=fuzzer-no-link ${GSB_FUZZ_FLAGS})

set(GSB_FUZZ_TARGETS profile config strace lsp_framing json lsp_initialize)
add_custom_target(gsb_fuzzers)
foreach(t ${GSB_FUZZ_TARGETS})
  add_executable(fuzz_${t} tests/fuzz/fuzz_${t}.cpp)
  target_link_libraries(fuzz_${t} PRIVATE gsb_core_fuzz)
  target_compile_options(fuzz_${t} PRIVATE -fsanitize=fuzzer ${GSB_FUZZ_FLAGS})
  target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer ${GSB_FUZZ_FLAGS})
  set_target_properties(fuzz_${t} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  add_dependencies(gsb_fuzzers fuzz_${t})
endforeach()
