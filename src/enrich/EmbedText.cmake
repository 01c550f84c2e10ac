# ts_embed_text(INPUT file OUTPUT file.cc FUNCTION ns::Name INCLUDE header): generates, at
# configure time, a C++ source defining `std::string_view ns::Name()` that returns the bytes of
# INPUT. Editing INPUT re-runs the configure step, so the binary always carries the file as it is
# in the tree.
#
# The text is emitted as several raw string literals of at most 16000 bytes each, joined at run
# time: some compilers cap a single string literal (MSVC: 16380 bytes per piece, 65535 after
# concatenation), and joining at run time avoids relying on literal concatenation.
function(ts_embed_text)
  cmake_parse_arguments(ARG "" "INPUT;OUTPUT;FUNCTION;INCLUDE" "" ${ARGN})
  set(delimiter "ts_embed")
  set(chunk_bytes 16000)

  file(READ "${ARG_INPUT}" text)
  string(FIND "${text}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${ARG_INPUT} contains the raw-string delimiter )${delimiter}\"")
  endif()

  string(LENGTH "${text}" length)
  set(chunks "")
  set(offset 0)
  while(offset LESS length)
    string(SUBSTRING "${text}" ${offset} ${chunk_bytes} chunk)
    string(APPEND chunks "    R\"${delimiter}(${chunk})${delimiter}\",\n")
    math(EXPR offset "${offset} + ${chunk_bytes}")
  endwhile()
  if(chunks STREQUAL "")
    set(chunks "    \"\",\n")
  endif()

  string(REGEX MATCH "^(.*)::([^:]+)$" _ "${ARG_FUNCTION}")
  set(EMBED_NAMESPACE "${CMAKE_MATCH_1}")
  set(EMBED_FUNCTION "${CMAKE_MATCH_2}")
  set(EMBED_INCLUDE "${ARG_INCLUDE}")
  set(EMBED_SOURCE "${ARG_INPUT}")
  file(RELATIVE_PATH EMBED_SOURCE "${PROJECT_SOURCE_DIR}" "${ARG_INPUT}")
  set(EMBED_CHUNKS "${chunks}")
  configure_file("${CMAKE_CURRENT_FUNCTION_LIST_DIR}/embedded_text.cc.in" "${ARG_OUTPUT}" @ONLY)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${ARG_INPUT}")
endfunction()
