# Writes the syscall group table (`gopls-sandbox profile show --groups`) to OUT.
# cmake -DEXE=path/to/gopls-sandbox -DOUT=groups.txt -P groups.cmake
execute_process(COMMAND "${EXE}" profile show --groups
                OUTPUT_FILE "${OUT}.tmp" RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  file(REMOVE "${OUT}.tmp")
  message(FATAL_ERROR "${EXE} profile show --groups failed (${rc}): ${err}")
endif()
file(RENAME "${OUT}.tmp" "${OUT}")
