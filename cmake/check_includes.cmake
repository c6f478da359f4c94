# Fails when a file under SRC includes a module that DESIGN.md section 2 does not allow.
#
# Each module has a level; a module may include modules of strictly lower levels, and itself.
# Backends (storage/sqlite, storage/postgres) are named only by app/ and by tests.
set(levels
  common 0
  config 1  schema 1
  storage 2
  query 3  render 3
  delivery 4  channels 4
  workflow 5  reporting 5  tracking 5  importexport 5  transactional 5
  service 6
  http 7
  app 8)
set(level_of_keys "")
list(LENGTH levels n)
math(EXPR last "${n} - 1")
foreach(i RANGE 0 ${last} 2)
  math(EXPR j "${i} + 1")
  list(GET levels ${i} name)
  list(GET levels ${j} level)
  set(level_${name} ${level})
endforeach()

get_filename_component(SRC "${SRC}" ABSOLUTE)
if(NOT IS_DIRECTORY "${SRC}")
  message(FATAL_ERROR "check_includes: SRC=${SRC} is not a folder")
endif()
file(GLOB_RECURSE files RELATIVE ${SRC} ${SRC}/*.hpp ${SRC}/*.cpp)
set(errors "")
foreach(f IN LISTS files)
  string(REGEX MATCH "^[^/]+" from ${f})
  if(NOT DEFINED level_${from})
    list(APPEND errors "${f}: folder '${from}' is not a module of DESIGN.md section 2")
    continue()
  endif()
  string(REGEX MATCH "(_test\\.cpp|^[^/]+/testing/.*)$" is_test ${f})
  string(REGEX MATCH "^storage/(sqlite|postgres)/" in_backend ${f})
  file(STRINGS ${SRC}/${f} lines REGEX "^[ \t]*#[ \t]*include[ \t]+\"")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]+\"([^\"]+)\".*" "\\1" inc "${line}")
    string(REGEX MATCH "^[^/]+" to ${inc})
    if(NOT inc MATCHES "/")
      continue()  # a local include without a module prefix
    endif()
    if(NOT DEFINED level_${to})
      continue()  # not one of ours (generated or third-party)
    endif()
    if(NOT to STREQUAL from AND NOT level_${to} LESS level_${from})
      list(APPEND errors "${f}: includes \"${inc}\" but ${from}/ may not depend on ${to}/")
    endif()
    if(inc MATCHES "^storage/(sqlite|postgres)/" AND NOT from STREQUAL "app"
       AND NOT is_test AND NOT in_backend)
      list(APPEND errors "${f}: includes \"${inc}\" but only app/ names concrete backends")
    endif()
  endforeach()
endforeach()
if(errors)
  list(JOIN errors "\n  " msg)
  message(FATAL_ERROR "Include direction check failed:\n  ${msg}")
endif()
