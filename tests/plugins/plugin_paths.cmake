# Builds the example plugin and the test plugins and tells ramify_unit_tests
# where they are. Include it from tests/CMakeLists.txt AFTER
# add_executable(ramify_unit_tests ...):
#   include(${CMAKE_CURRENT_SOURCE_DIR}/plugins/plugin_paths.cmake)

if(NOT TARGET ramify_participants)  # the top level may add the example itself
  add_subdirectory(${PROJECT_SOURCE_DIR}/examples/plugin ${PROJECT_BINARY_DIR}/examples/plugin)
endif()
add_subdirectory(${CMAKE_CURRENT_LIST_DIR} ${CMAKE_CURRENT_BINARY_DIR}/plugins)

target_compile_definitions(ramify_unit_tests PRIVATE
  RAMIFY_PARTICIPANTS_PLUGIN="$<TARGET_FILE:ramify_participants>"
  RAMIFY_WRONG_ABI_PLUGIN="$<TARGET_FILE:ramify_test_wrong_abi>"
  RAMIFY_NO_ABI_PLUGIN="$<TARGET_FILE:ramify_test_no_abi>"
  RAMIFY_THROWING_PLUGIN="$<TARGET_FILE:ramify_test_throwing>"
  RAMIFY_CREATE_NULL_PLUGIN="$<TARGET_FILE:ramify_test_create_null>"
  RAMIFY_MISSING_OPTION_PLUGIN="$<TARGET_FILE:ramify_test_missing_option>"
  RAMIFY_ABI1_PLUGIN="$<TARGET_FILE:ramify_test_abi1>")
add_dependencies(ramify_unit_tests
  ramify_participants ramify_test_wrong_abi ramify_test_no_abi ramify_test_throwing ramify_test_create_null
  ramify_test_missing_option ramify_test_abi1)
