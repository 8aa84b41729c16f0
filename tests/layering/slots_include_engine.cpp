// Compiles: slots/ links engine/, so engine's headers are on its path
// (tests/CMakeLists.txt: LayeringAllowsADownwardInclude).
#include "engine/event_queue.hpp"
