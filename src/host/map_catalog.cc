#include "host/map_catalog.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/file.h"
#include "base/utf8.h"
#include "host/addon_maps.h"
#include "host/game_builds.h"
#include "host/safe_open.h"
#include "model/spec.h"
#include "model/spec_rules.h"

namespace left4me::host {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxListedFiles = 100000;  // per directory

struct Listing {
  UniqueFd directory;              // invalid when the directory does not exist
  std::vector<std::string> names;  // entries ending in the suffix (case-insensitive) but directories, sorted
};

// The entries of `path` (reached without following symlinks) whose names end in `suffix`, but directories:
// a symlink or a FIFO is listed, so that opening it reports it instead of hiding it.
Result<Listing> list_files(const std::string& path, std::string_view suffix) {
  Listing listing;
  auto directory = open_no_symlinks(AT_FDCWD, path, O_RDONLY | O_DIRECTORY, path);
  if (!directory.ok()) {
    if (directory.error().code() == ErrorCode::kNotFound) return listing;
    return directory.error();
  }
  int copy = ::dup(directory->get());
  DIR* stream = copy < 0 ? nullptr : ::fdopendir(copy);
  if (stream == nullptr) {
    if (copy >= 0) ::close(copy);
    return Error::from_errno("read " + path, errno);
  }
  while (const dirent* entry = ::readdir(stream)) {
    std::string name = entry->d_name;
    if (name.size() <= suffix.size() || model::lowercase(name.substr(name.size() - suffix.size())) != suffix) continue;
    struct stat st {};
    if (::fstatat(directory->get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISDIR(st.st_mode)) continue;
    if (listing.names.size() >= kMaxListedFiles) break;
    listing.names.push_back(std::move(name));
  }
  ::closedir(stream);
  std::sort(listing.names.begin(), listing.names.end());
  listing.directory = std::move(*directory);
  return listing;
}

// What the search has found so far.
struct Collected {
  std::map<std::string, std::vector<std::string>> found;  // map name -> labels of where a file of it is
  std::vector<model::CatalogCampaign> campaigns;          // from addons' mission files
  std::vector<std::string> problems;

  void note(const std::string& map, const std::string& label) {
    std::vector<std::string>& labels = found[map];
    if (std::find(labels.begin(), labels.end(), label) == labels.end()) labels.push_back(label);
  }
};

// A mission's maps: its coop maps (else its first mode's) numbered as chapters, then the maps only other
// modes list, numbered within their mode.
model::CatalogCampaign campaign_of(const Mission& mission, const std::string& fallback_title, const std::string& label,
                                   const std::string& file) {
  model::CatalogCampaign campaign{
      .title = mission.title.empty() ? fallback_title : mission.title, .origin = label, .file = file};
  std::vector<const MissionMode*> modes;
  for (const MissionMode& mode : mission.modes) {
    if (mode.mode == "coop") {
      modes.insert(modes.begin(), &mode);
    } else {
      modes.push_back(&mode);
    }
  }
  std::set<std::string> listed;
  for (const MissionMode* mode : modes) {
    for (std::size_t i = 0; i < mode->maps.size(); ++i) {
      const MissionMap& map = mode->maps[i];
      if (!listed.insert(map.map).second) continue;
      std::string chapter = map.display_name.empty() ? map.map : map.display_name;
      std::string title = mode == modes.front() ? model::map_title(campaign.title, i + 1, chapter)
                                                : model::map_title(campaign.title + ", " + mode->mode, i + 1, chapter);
      campaign.maps.push_back({map.map, std::move(title), {}});
    }
  }
  return campaign;
}

void scan_addons(const MapSource& source, Collected& collected) {
  const std::string directory = std::string(model::Layout::kGameAddonsDir);
  auto listing = list_files(source.root + "/" + directory, ".vpk");
  if (!listing.ok()) {
    collected.problems.push_back(source.label + ": " + listing.error().message());
    return;
  }
  for (const std::string& name : listing->names) {
    const std::string file = make_valid_utf8(directory + "/" + name);
    auto vpk = VpkFile::open(listing->directory.get(), name, file);
    if (!vpk.ok()) {
      collected.problems.push_back(source.label + ": " + vpk.error().message());
      continue;
    }
    auto addon = read_addon_maps(vpk->size(), vpk->reader());
    if (!addon.ok()) {
      collected.problems.push_back(source.label + ": " + file + ": " + addon.error().message());
      continue;
    }
    for (const std::string& map : addon->maps) collected.note(map, source.label);
    for (const Mission& mission : addon->campaigns) {
      std::string stem = make_valid_utf8(name.substr(0, name.size() - 4));
      collected.campaigns.push_back(campaign_of(mission, stem, source.label, file));
    }
    for (const std::string& problem : addon->problems) {
      collected.problems.push_back(source.label + ": " + file + ": " + problem);
    }
  }
}

void scan_source(const MapSource& source, Collected& collected) {
  auto loose = list_files(source.root + "/" + std::string(model::Layout::kGameMapsDir), ".bsp");
  if (loose.ok()) {
    for (const std::string& name : loose->names) {
      std::string map = name.substr(0, name.size() - 4);
      if (model::is_valid_map_name(map)) collected.note(map, source.label);
    }
  } else {
    collected.problems.push_back(source.label + ": " + loose.error().message());
  }
  scan_addons(source, collected);
}

void fill_found_in(model::CatalogCampaign& campaign, const Collected& collected) {
  for (model::CatalogMap& map : campaign.maps) {
    if (auto found = collected.found.find(map.name); found != collected.found.end()) map.found_in = found->second;
  }
}

json map_json(const model::CatalogMap& map) {
  return {{"map", map.name}, {"title", map.title}, {"found_in", map.found_in}};
}

}  // namespace

model::MapCatalog build_map_catalog(const std::vector<MapSource>& sources) {
  Collected collected;
  for (const MapSource& source : sources) scan_source(source, collected);
  model::MapCatalog catalog;
  for (const model::OfficialCampaign& official : model::official_campaigns()) {
    model::CatalogCampaign campaign{.title = std::string(official.title), .origin = "official"};
    for (std::size_t i = 0; i < official.maps.size(); ++i) {
      campaign.maps.push_back(
          {std::string(official.maps[i].name), model::map_title(official.title, i + 1, official.maps[i].chapter), {}});
    }
    catalog.campaigns.push_back(std::move(campaign));
  }
  for (model::CatalogCampaign& campaign : collected.campaigns) catalog.campaigns.push_back(std::move(campaign));
  std::set<std::string> in_campaigns;
  for (model::CatalogCampaign& campaign : catalog.campaigns) {
    fill_found_in(campaign, collected);
    for (const model::CatalogMap& map : campaign.maps) in_campaigns.insert(map.name);
  }
  for (const auto& [name, labels] : collected.found) {
    if (!in_campaigns.contains(name)) catalog.other_maps.push_back({name, name, labels});
  }
  catalog.problems = std::move(collected.problems);
  return catalog;
}

Result<std::vector<MapSource>> map_sources(const model::Layout& layout, const std::vector<std::string>& overlays) {
  // `installation` is a link naming the current game build (docs/design.md, "Game builds"), and the search
  // below follows no symlink: it starts at the build the link names (a host from before builds: the directory).
  std::optional<std::string> build = current_build_id(layout);
  std::vector<MapSource> sources = {
      {"installation", build ? layout.installation_build(*build) : layout.installation()}};
  for (const std::string& ref : overlays) {
    if (!model::is_valid_overlay_ref(ref)) {
      return Error::invalid("overlay " + model::quoted_value(ref) +
                            " is not an overlay: use an id or a path under overlays/ (docs/spec.md)");
    }
    if (!is_directory(layout.overlay(ref))) {
      return Error::invalid("overlay '" + ref + "' does not exist (" + layout.overlay(ref) + ")");
    }
    sources.push_back({"overlay " + ref, layout.overlay(ref)});
  }
  return sources;
}

std::string map_catalog_json(const model::MapCatalog& catalog) {
  json campaigns = json::array();
  for (const model::CatalogCampaign& campaign : catalog.campaigns) {
    json maps = json::array();
    for (const model::CatalogMap& map : campaign.maps) maps.push_back(map_json(map));
    campaigns.push_back({{"title", campaign.title},
                         {"origin", campaign.origin},
                         {"file", campaign.file.empty() ? json(nullptr) : json(campaign.file)},
                         {"maps", maps}});
  }
  json other = json::array();
  for (const model::CatalogMap& map : catalog.other_maps) other.push_back(map_json(map));
  json document = {{"campaigns", campaigns}, {"other_maps", other}, {"problems", catalog.problems}};
  // Everything is valid UTF-8 by construction; a slip must not stop the listing.
  return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string map_catalog_text(const model::MapCatalog& catalog) {
  // File names come from directories others write: no control character reaches the terminal.
  auto shown = [](std::string text) {
    for (char& c : text) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
    }
    return text;
  };
  std::size_t width = 0;
  for (const model::CatalogCampaign& campaign : catalog.campaigns) {
    for (const model::CatalogMap& map : campaign.maps) width = std::max(width, map.name.size());
  }
  for (const model::CatalogMap& map : catalog.other_maps) width = std::max(width, map.name.size());
  auto line = [&](const model::CatalogMap& map) {
    std::string text = "  " + map.name;
    if (map.title != map.name) text += std::string(width - map.name.size() + 2, ' ') + map.title;
    if (!map.found_in.empty()) {
      std::string places;
      for (const std::string& place : map.found_in) places += (places.empty() ? "" : ", ") + place;
      text += "  [" + places + "]";
    }
    return shown(text) + "\n";
  };
  std::string out;
  for (const model::CatalogCampaign& campaign : catalog.campaigns) {
    out += shown(campaign.title + " (" + campaign.origin + (campaign.file.empty() ? "" : ": " + campaign.file) + ")") +
           "\n";
    for (const model::CatalogMap& map : campaign.maps) out += line(map);
  }
  if (!catalog.other_maps.empty()) out += "Other maps\n";
  for (const model::CatalogMap& map : catalog.other_maps) out += line(map);
  if (!catalog.problems.empty()) out += "Problems\n";
  for (const std::string& problem : catalog.problems) out += "  " + shown(problem) + "\n";
  return out;
}

}  // namespace left4me::host
