# Helpers that give every payvox target the same warnings and layout.

# payvox_warnings(target): warnings are errors for code this project writes.
function(payvox_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Werror -Wnon-virtual-dtor -Wcast-align
    -Wimplicit-fallthrough
    # Designated initializers leave defaulted members out on purpose.
    -Wno-missing-field-initializers
    # GCC 12 flags Asio's coroutine-frame allocator (awaitable_frame_base's
    # sized operator delete) at -O1 and above: a false positive in Boost.
    -Wno-mismatched-new-delete)
endfunction()

# payvox_library(name SOURCES ... DEPS ...): a static library rooted at the
# repository so includes read "client/stripe_api.h".
function(payvox_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/proto)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  payvox_warnings(${name})
endfunction()

# payvox_test(name SOURCES ... DEPS ... [LABELS ...]): a GoogleTest binary
# registered with CTest.
function(payvox_test name)
  if(NOT PAYVOX_BUILD_TESTS OR PAYVOX_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} payvox_testing GTest::gmock_main)
  payvox_warnings(${name})
  add_test(NAME ${name} COMMAND ${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}")
endfunction()

# payvox_benchmark(name SOURCES ... DEPS ...): a Google Benchmark binary.
# Benchmarks are built with the tests so they keep compiling, and run by hand
# (docs/benchmarks.md).
function(payvox_benchmark name)
  if(NOT PAYVOX_BUILD_BENCHMARKS OR PAYVOX_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} payvox_benchmark_main)
  payvox_warnings(${name})
endfunction()

# payvox_fuzzer(name SOURCES ... DEPS ...): a libFuzzer target, built only in
# the fuzz preset (clang).
function(payvox_fuzzer name)
  if(NOT PAYVOX_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  payvox_warnings(${name})
endfunction()

# payvox_check_layers(target FORBIDDEN dep...): fails the configure step when
# `target` links any of the forbidden targets, directly or through the
# libraries it links (the layering rules in docs/development.md).
function(payvox_collect_links target out)
  set(seen ${${out}})
  get_target_property(links ${target} INTERFACE_LINK_LIBRARIES)
  get_target_property(type ${target} TYPE)
  if(NOT type STREQUAL "INTERFACE_LIBRARY")
    get_target_property(direct ${target} LINK_LIBRARIES)
    if(direct)
      list(APPEND links ${direct})
    endif()
  endif()
  foreach(link IN LISTS links)
    if(TARGET ${link} AND NOT link IN_LIST seen)
      list(APPEND seen ${link})
      payvox_collect_links(${link} seen)
    endif()
  endforeach()
  set(${out} ${seen} PARENT_SCOPE)
endfunction()

function(payvox_check_layers target)
  cmake_parse_arguments(ARG "" "" "FORBIDDEN" ${ARGN})
  if(NOT TARGET ${target})
    return()
  endif()
  set(linked "")
  payvox_collect_links(${target} linked)
  foreach(forbidden IN LISTS ARG_FORBIDDEN)
    if(forbidden IN_LIST linked)
      message(FATAL_ERROR "layering: ${target} must not link ${forbidden} (docs/development.md)")
    endif()
  endforeach()
endfunction()
