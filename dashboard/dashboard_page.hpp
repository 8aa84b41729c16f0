#pragma once
// The live dashboard's page (GET /): one self-contained HTML document, its
// style and script inline; it loads nothing but api/run from its own origin.

#include <string_view>

namespace ramify {

// The page polls api/run (relative, with the page's own ?token= when it has
// one) every second and renders it with textContent only, never as markup.
std::string_view dashboard_page();

}  // namespace ramify
