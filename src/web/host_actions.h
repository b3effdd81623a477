// What an administrator does to the hosts, the same for the JSON API (api_hosts.cc) and the hosts page
// (pages_hosts.cc): a host's fields read from a request, adding a host with its scanned key, changing it,
// confirming or scanning its key again, deleting it (each change taken into the registry of Ctls), and how many
// servers each host runs now. Thread-safe as App is.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "base/result.h"
#include "web/app.h"
#include "web/hosts.h"

namespace left4me::web {

// The host's fields from a JSON body or a form (numbers as numbers or text; port_min and port_max go together).
// kInvalidArgument whose message starts with the field's name ("port_min: ...").
Result<HostInput> host_input_from(const Request& request);
// Adds a remote host with its key as ssh-keyscan gives it (ed25519 when the host offers it), not yet confirmed.
// kInvalidArgument for bad or missing fields, kAlreadyExists for a name taken, kUnavailable when the scan got no
// key (the message names the address): nothing is stored then.
Result<Host> add_scanned_host(App& app, const HostInput& input);
// Changes the given fields (Hosts::update) and rebuilds the Ctls.
Result<Host> change_host(App& app, const Host& host, const HostInput& input);
// Confirms the scanned key when fingerprint is the one shown (kInvalidArgument otherwise), pins it to the host's
// known_hosts file and rebuilds the Ctls: the host takes servers from now on.
Result<Host> confirm_scanned_key(App& app, const Host& host, const std::string& fingerprint);
// Scans the host's key again and keeps it unconfirmed (the host takes no servers until it is confirmed).
// kInvalidArgument for the local host, kUnavailable when the scan got no key.
Result<Host> rescan_host(App& app, const Host& host);
// Deletes a remote host without servers (Hosts::remove's refusals), rebuilds the Ctls and removes its pinned key.
Status delete_host_record(App& app, const Host& host);
// How many servers each host runs now (starting or running, as the live status says), by host id.
Result<std::map<std::int64_t, int>> running_counts(App& app);

}  // namespace left4me::web
