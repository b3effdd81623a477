// Writing one entry to the systemd journal with fields of our own (its native protocol on
// /run/systemd/journal/socket), without libsystemd. Stateless; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace left4me::host {

// The entry's fields, e.g. {"MESSAGE", "..."}, {"PRIORITY", "4"}. Names are upper case letters, digits and
// '_' (journald drops others). Fails when the journal cannot be reached (no systemd, a sandbox without it).
Status send_to_journal(const std::vector<std::pair<std::string, std::string>>& fields,
                       const std::string& socket_path = "/run/systemd/journal/socket");

}  // namespace left4me::host
