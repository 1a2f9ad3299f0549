# The floors' dependency rules (ARCHITECTURE.md), checked at configure time:
#   - no service (a target defined under services/) links anything defined
#     under devnet/, directly or through other targets: the devnet is a
#     development tool (poolctl and tests drive it), production binaries must
#     not carry it;
#   - no library under libs/ links anything under services/, cli/ or devnet/:
#     libs know no service.
#
# poolops_check_boundary(ROOT <dir> FROM <area> TO <area>... [ALLOW <target>...])
# Walks every target defined below ROOT/<FROM>, follows LINK_LIBRARIES and
# INTERFACE_LINK_LIBRARIES transitively and stops configuration with
# FATAL_ERROR naming the chain of the first forbidden edge per target. An
# area is a target's first folder below ROOT. ALLOW names targets exempted
# (each with its reason at the call).
# poolops_check_devnet_boundary(ROOT <dir> [ALLOW ...]): FROM services TO devnet.

function(_poolops_boundary_targets dir out)
  get_property(targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    _poolops_boundary_targets("${sub}" more)
    list(APPEND targets ${more})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

# The area a target belongs to: its first folder below root ("services",
# "devnet", "libs", ...), "" for the root itself.
function(_poolops_boundary_area root target out)
  get_target_property(dir ${target} SOURCE_DIR)
  file(RELATIVE_PATH rel "${root}" "${dir}")
  string(REGEX REPLACE "/.*" "" area "${rel}")
  set(${out} "${area}" PARENT_SCOPE)
endfunction()

# The targets a target links (both properties, $<LINK_ONLY:x> unwrapped,
# other generator expressions and plain library names skipped).
function(_poolops_boundary_deps target out)
  set(deps "")
  foreach(prop LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
    get_target_property(items ${target} ${prop})
    if(NOT items)
      continue()
    endif()
    foreach(item IN LISTS items)
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" item "${item}")
      if(item MATCHES "^\\$<" OR NOT TARGET "${item}")
        continue()
      endif()
      get_target_property(imported "${item}" IMPORTED)
      get_target_property(aliased "${item}" ALIASED_TARGET)
      if(aliased)
        set(item ${aliased})
      elseif(imported)
        continue()
      endif()
      list(APPEND deps "${item}")
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES deps)
  set(${out} ${deps} PARENT_SCOPE)
endfunction()

function(poolops_check_boundary)
  cmake_parse_arguments(PARSE_ARGV 0 ARG "" "ROOT;FROM" "TO;ALLOW")
  _poolops_boundary_targets("${ARG_ROOT}" all)
  set(errors "")
  foreach(start IN LISTS all)
    _poolops_boundary_area("${ARG_ROOT}" ${start} area)
    if(NOT area STREQUAL ARG_FROM OR start IN_LIST ARG_ALLOW)
      continue()
    endif()
    # Breadth-first; each queued entry carries its path as "a>b>c".
    set(queue "${start}")
    set(seen ${start})
    while(queue)
      list(POP_FRONT queue path)
      string(REPLACE ">" ";" hops "${path}")
      list(GET hops -1 node)
      _poolops_boundary_deps(${node} deps)
      foreach(dep IN LISTS deps)
        if(dep IN_LIST seen)
          continue()
        endif()
        list(APPEND seen ${dep})
        _poolops_boundary_area("${ARG_ROOT}" ${dep} dep_area)
        if(dep_area IN_LIST ARG_TO)
          string(REPLACE ">" " -> " chain "${path}>${dep}")
          string(APPEND errors "\n  ${chain}")
          set(queue "")
          break()
        endif()
        list(APPEND queue "${path}>${dep}")
      endforeach()
    endwhile()
  endforeach()
  if(errors)
    string(REPLACE ";" "/, " to "${ARG_TO}")
    message(FATAL_ERROR
      "boundary: ${ARG_FROM}/ targets link ${to}/ (${ARG_FROM}/ must not link "
      "${to}/; see ARCHITECTURE.md):${errors}")
  endif()
endfunction()

function(poolops_check_devnet_boundary)
  cmake_parse_arguments(PARSE_ARGV 0 ARG "" "ROOT" "ALLOW")
  poolops_check_boundary(ROOT "${ARG_ROOT}" FROM services TO devnet
    ALLOW ${ARG_ALLOW})
endfunction()

# The same rule for what the sources include: a header of another floor
# (a test double of the devnet, say) is a dependency the link graph does
# not show.
function(poolops_check_includes)
  cmake_parse_arguments(PARSE_ARGV 0 ARG "" "ROOT;FROM" "TO")
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS
    "${ARG_ROOT}/${ARG_FROM}/*.h" "${ARG_ROOT}/${ARG_FROM}/*.cc")
  list(JOIN ARG_TO "|" to)
  set(errors "")
  foreach(source IN LISTS sources)
    file(STRINGS "${source}" hits REGEX "^#include \"(${to})/")
    foreach(hit IN LISTS hits)
      file(RELATIVE_PATH rel "${ARG_ROOT}" "${source}")
      string(APPEND errors "\n  ${rel}: ${hit}")
    endforeach()
  endforeach()
  if(errors)
    message(FATAL_ERROR
      "boundary: ${ARG_FROM}/ includes ${ARG_TO} (see ARCHITECTURE.md):"
      "${errors}")
  endif()
endfunction()
