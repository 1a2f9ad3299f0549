# The order of chain-gateway's folders (README.md): a file in a folder
# includes nothing from a folder after it, so the folders have no cycles.
# Usage: cmake -DROOT=<services/chain> -DORDER="tx;chains;..." -P check_layers.cmake
# Prints "gateway layers hold", or fails naming each file that includes
# from a later folder.
if(NOT ROOT OR NOT ORDER)
  message(FATAL_ERROR "usage: -DROOT=<dir> -DORDER=<folder;...>")
endif()
set(errors "")
list(LENGTH ORDER count)
math(EXPR last "${count} - 1")
foreach(i RANGE ${last})
  list(GET ORDER ${i} folder)
  file(GLOB sources "${ROOT}/${folder}/*.h" "${ROOT}/${folder}/*.cc")
  if(NOT sources)
    message(FATAL_ERROR "no sources in ${ROOT}/${folder}")
  endif()
  foreach(source IN LISTS sources)
    file(STRINGS "${source}" includes REGEX "^#include \"services/chain/")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^#include \"services/chain/([^/\"]+)/.*" "\\1"
        used "${line}")
      list(FIND ORDER "${used}" j)
      if(j GREATER i)
        get_filename_component(name "${source}" NAME)
        string(APPEND errors "\n  ${folder}/${name} includes ${used}/")
      endif()
    endforeach()
  endforeach()
endforeach()
if(errors)
  message(FATAL_ERROR "a folder includes from a later one:${errors}")
endif()
message(STATUS "gateway layers hold")
