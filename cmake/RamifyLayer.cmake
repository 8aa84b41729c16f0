# ramify_layer(FOLDER [PUBLIC deps...] [PRIVATE deps...])
#
# One static library, ramify_FOLDER, per source folder. Its headers are
# included as "FOLDER/name.hpp", and the include path that holds FOLDER is a
# view of that folder alone (build/layers/FOLDER/FOLDER -> the source folder):
# a folder sees only the headers of the folders it links, so an include that
# runs against the layering does not compile.
function(ramify_layer folder)
  cmake_parse_arguments(LAYER "" "" "PUBLIC;PRIVATE" ${ARGN})
  set(view ${CMAKE_BINARY_DIR}/layers/${folder})
  file(MAKE_DIRECTORY ${view})
  file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${folder} ${view}/${folder} SYMBOLIC)
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${folder}/*.cpp)
  list(FILTER sources EXCLUDE REGEX "/main\\.cpp$")  # a program's main is not part of its folder's library
  add_library(ramify_${folder} STATIC ${sources})
  target_include_directories(ramify_${folder} PUBLIC ${view})
  target_compile_options(ramify_${folder} PRIVATE ${RAMIFY_WARNINGS})
  target_link_libraries(ramify_${folder} PUBLIC ${LAYER_PUBLIC} PRIVATE ${LAYER_PRIVATE})
endfunction()
