#include "web/blueprint_overlays.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/strings.h"

namespace left4me::web {
namespace {

void add(Overlays& overlays, const Scope& owner, std::size_t index, Result<Overlay> overlay, PickedOverlays& out) {
  std::string field = fmt::format("overlays[{}]", index);
  if (overlay && !overlays.get(overlay->id, owner)) overlay = Error::not_found("");
  if (!overlay) {
    out.errors.push_back(model::FieldError{0, field, "no such overlay among the ones you may use"});
    return;
  }
  if (std::find(out.ids.begin(), out.ids.end(), overlay->id) != out.ids.end()) {
    out.errors.push_back(model::FieldError{0, field, fmt::format("overlay '{}' is given twice", overlay->name)});
    return;
  }
  out.ids.push_back(overlay->id);
  out.refs.push_back(overlay->directory);
}

// An id as a number, as decimal text (a form's), or as the {id, ...} objects answers show (a spec sent back as read).
std::optional<std::int64_t> id_of(const nlohmann::json& value) {
  if (value.is_object() && value.contains("id")) return id_of(value["id"]);
  if (value.is_number_integer() && value.get<std::int64_t>() > 0) return value.get<std::int64_t>();
  if (value.is_string()) {
    std::optional<long long> parsed = parse_int(value.get<std::string>(), 1, INT64_MAX);
    if (parsed) return *parsed;
  }
  return std::nullopt;
}

}  // namespace

PickedOverlays pick_overlays(Overlays& overlays, const Scope& owner, const nlohmann::json& ids) {
  PickedOverlays out;
  if (!ids.is_array()) {
    out.errors.push_back(model::FieldError{0, "overlays", "must be a list of overlay ids"});
    return out;
  }
  for (std::size_t index = 0; index < ids.size(); ++index) {
    std::optional<std::int64_t> id = id_of(ids[index]);
    if (!id) {
      out.errors.push_back(
          model::FieldError{0, fmt::format("overlays[{}]", index), "must be an overlay id (a positive number)"});
      continue;
    }
    add(overlays, owner, index, overlays.get(*id, owner), out);
  }
  return out;
}

PickedOverlays pick_overlay_refs(Overlays& overlays, const Scope& owner, const std::vector<std::string>& refs) {
  PickedOverlays out;
  for (std::size_t index = 0; index < refs.size(); ++index) {
    add(overlays, owner, index, overlays.by_directory(refs[index]), out);
  }
  return out;
}

Result<Scope> owner_scope(Accounts& accounts, std::int64_t owner_id) {
  Result<std::optional<User>> user = accounts.find_user(owner_id);
  if (!user) return user.error();
  if (!*user) return Error::not_found(fmt::format("user {} not found", owner_id));
  return Scope{owner_id, (*user)->is_admin};
}

Result<int> adopt_blueprint_overlays(Database& database, Blueprints& blueprints, Overlays& overlays) {
  Result<std::vector<Blueprint>> all = blueprints.list(Scope{0, true});
  if (!all) return all.error();
  int count = 0;
  for (const Blueprint& blueprint : *all) {
    model::SpecResult spec = model::parse_blueprint_spec(blueprint.spec_yaml, "blueprint");
    if (!spec || spec->overlays.empty()) continue;
    std::vector<std::int64_t> ids;
    for (const std::string& ref : spec->overlays) {
      Result<Overlay> overlay = overlays.adopt(blueprint.owner_id, ref);
      if (!overlay) return overlay.error();
      ids.push_back(overlay->id);
    }
    auto transaction = Database::Transaction::begin(database);
    if (!transaction) return transaction.error();
    if (Status status = Overlays::set_blueprint_overlays((*transaction)->lock(), blueprint.id, ids); !status) {
      return status.error();
    }
    if (Status status = (*transaction)->commit(); !status) return status.error();
    ++count;
  }
  return count;
}

nlohmann::json stacked_overlays_json(Overlays& overlays, const std::vector<std::string>& refs) {
  nlohmann::json out = nlohmann::json::array();
  for (const std::string& ref : refs) {
    Result<Overlay> overlay = overlays.by_directory(ref);
    if (overlay) {
      out.push_back({{"id", overlay->id}, {"name", overlay->name}, {"global", overlay->global()}});
    } else {
      out.push_back({{"id", nullptr}, {"name", ref}, {"global", false}});
    }
  }
  return out;
}

}  // namespace left4me::web
