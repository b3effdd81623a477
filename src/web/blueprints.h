// Blueprints: a user's private, reusable server configurations (a blueprint spec stored as canonical
// YAML), live-linked to servers. Thread-safe (through Database).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "web/database.h"
#include "web/limits.h"
#include "web/scope.h"

namespace left4me::web {

struct Blueprint {
  std::int64_t id = 0;
  std::int64_t owner_id = 0;
  std::string name;
  std::string spec_yaml;  // canonical, validated
  std::int64_t version = 1;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

struct LinkedServer {
  std::int64_t id = 0;
  std::string name;
};

class Blueprints {
 public:
  Blueprints(Database& database, DefaultLimits limits) : database_(database), limits_(limits) {}

  // Names: 1-100 characters, no control characters; unique per owner (kAlreadyExists). kLimitReached when the
  // owner has as many blueprints as their limit allows. overlay_ids are the records of the spec's overlay refs, in
  // order (blueprint_overlays, written in the same transaction).
  Result<Blueprint> create(std::int64_t owner_id, const std::string& name, const std::string& spec_yaml,
                           const std::vector<std::int64_t>& overlay_ids);
  // kNotFound when absent or outside the scope.
  Result<Blueprint> get(std::int64_t id, const Scope& scope);
  Result<std::vector<Blueprint>> list(const Scope& scope);
  // Replaces name and spec; the version goes up when the spec changes. overlay_ids as for create; nullopt keeps
  // the stacked overlays (a spec whose overlays did not change).
  Result<Blueprint> update(std::int64_t id, const Scope& scope, const std::string& name, const std::string& spec_yaml,
                           const std::optional<std::vector<std::int64_t>>& overlay_ids);
  // Refused (kAlreadyExists, the message naming them; linked_servers lists them) while servers follow the
  // blueprint; kNotFound when absent or outside the scope.
  Status remove(std::int64_t id, const Scope& scope);
  Result<std::vector<LinkedServer>> linked_servers(std::int64_t id);

 private:
  Database& database_;
  DefaultLimits limits_;
};

std::optional<std::string> check_blueprint_name(const std::string& name);

}  // namespace left4me::web
