// The l4d2ctl command table and the one place that maps errors to exit codes (docs/cli.md).
#pragma once

#include <string>

#include "base/result.h"

namespace left4me::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNoInstance = 3;

// Prints "l4d2ctl: <context>: <message>" to stderr and returns the exit code for the error.
int report(const Error& error, const std::string& context);

int run(int argc, char** argv);

}  // namespace left4me::cli
