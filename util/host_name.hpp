#pragma once

#include <string>

namespace ramify {

// This machine's host name ("unknown" when it cannot be read).
std::string host_name();

}  // namespace ramify
