# poolops_static_link(TARGET LIBS <our libraries...> PKG <pkg-config modules...>)
#
# Links TARGET as one static executable (glibc included): each of LIBS by its
# archive, with its include folders and definitions but nothing it links
# transitively (those are the shared imported targets of gRPC, protobuf and
# Abseil), then the static archives of the PKG modules as `pkg-config
# --static` lists them (Debian's -dev packages ship them). One group, so
# their order does not matter. LIBS must name every library of ours the
# target needs, dependencies included.
#
# Why: a program linked against ~90 shared objects spends most of its
# start-up resolving their symbols and faulting in their pages; a static one
# maps one file and relocates nothing.
find_package(PkgConfig REQUIRED)

# Not a static PIE: relocating one at start-up writes to (and faults in) every
# page that holds a pointer, about 2 ms here. But GCC's startfile for -static
# (crtbeginT.o) registers the .eh_frame with the unwinder's object registry,
# which sorts every FDE of the program at the first exception (CLI11 throws
# for --help): ~12 ms. GCC's own spec with crtbegin.o in its place, and an
# .eh_frame_hdr, make the unwinder search that table as in any dynamic
# program (dl_iterate_phdr works in static glibc).
set(POOLOPS_STATIC_LINK_OPTIONS -static-pie -Wl,-z,pack-relative-relocs)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -dumpspecs
    OUTPUT_VARIABLE specs RESULT_VARIABLE specs_rc)
  string(REGEX MATCH "\\*startfile:\n[^\n]*" startfile "${specs}")
  if(specs_rc EQUAL 0 AND startfile MATCHES "static:crtbeginT\\.o%s")
    string(REPLACE "static:crtbeginT.o%s" "static:crtbegin.o%s" startfile
      "${startfile}")
    set(spec_file ${CMAKE_BINARY_DIR}/static-eh-frame-hdr.specs)
    file(WRITE ${spec_file} "${startfile}\n\n")
    set(POOLOPS_STATIC_LINK_OPTIONS -static -specs=${spec_file}
      -Wl,--eh-frame-hdr)
  endif()
endif()

function(poolops_static_link target)
  cmake_parse_arguments(ARG "" "" "LIBS;PKG" ${ARGN})
  string(MAKE_C_IDENTIFIER "${target}_static" prefix)
  pkg_check_modules(${prefix} REQUIRED ${ARG_PKG})
  set(files)
  foreach(lib IN LISTS ARG_LIBS)
    target_include_directories(${target} PRIVATE
      $<TARGET_PROPERTY:${lib},INTERFACE_INCLUDE_DIRECTORIES>)
    target_compile_definitions(${target} PRIVATE
      $<TARGET_PROPERTY:${lib},INTERFACE_COMPILE_DEFINITIONS>)
    add_dependencies(${target} ${lib})
    list(APPEND files $<TARGET_FILE:${lib}>)
  endforeach()
  target_include_directories(${target} PRIVATE ${${prefix}_STATIC_INCLUDE_DIRS})
  target_link_options(${target} PRIVATE ${POOLOPS_STATIC_LINK_OPTIONS})
  target_link_libraries(${target} PRIVATE
    -Wl,--start-group ${files} ${${prefix}_STATIC_LDFLAGS} -Wl,--end-group)
endfunction()
