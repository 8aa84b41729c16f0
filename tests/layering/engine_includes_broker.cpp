// Must not compile: engine/ sits below broker/, so it does not see broker's
// headers (tests/CMakeLists.txt: LayeringRefusesAnUpwardInclude).
#include "broker/broker.hpp"
