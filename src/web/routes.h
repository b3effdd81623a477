// The web app's one route table (routes.cc): every route with its method, pattern, access and handler.
// Immutable; thread-safe.
#pragma once

#include <span>

#include "web/route.h"

namespace left4me::web {

// Every route, in the order they are matched: the first whose pattern and method match a request takes it.
std::span<const Route> routes();

}  // namespace left4me::web
