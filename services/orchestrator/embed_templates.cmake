# Writes OUT, a C++ file holding every file under ROOT (compose/templates) as
# a string, so the orchestrator needs no template folder at run time.
file(GLOB_RECURSE files RELATIVE "${ROOT}" "${ROOT}/*")
list(SORT files)
set(body "")
foreach(f IN LISTS files)
  file(READ "${ROOT}/${f}" content)
  string(APPEND body "      {\"${f}\", R\"poolops_tmpl(${content})poolops_tmpl\"},\n")
endforeach()
file(WRITE "${OUT}.tmp"
"// Generated from compose/templates by embed_templates.cmake. Do not edit.
#include \"services/orchestrator/renderer.h\"

namespace poolops::orchestrator {

const std::map<std::string, std::string_view>& EmbeddedTemplates() {
  static const auto* templates = new std::map<std::string, std::string_view>{
${body}  };
  return *templates;
}

}  // namespace poolops::orchestrator
")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
