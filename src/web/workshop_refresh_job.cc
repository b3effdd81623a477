#include "web/workshop_refresh_job.h"

#include <dirent.h>
#include <fmt/format.h>

#include <chrono>
#include <ctime>

#include "base/file.h"
#include "base/strings.h"
#include "web/overlay_files.h"

namespace left4me::web {
namespace {

constexpr Scope kSystem{0, true};
// How often a download's progress is written (the page polls every second or two).
constexpr std::chrono::milliseconds kProgressEvery{250};

std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string describe(const std::string& id, const std::string& title) {
  return title.empty() ? fmt::format("item {}", id) : fmt::format("item {} '{}'", id, title);
}

// What the page shows of an item before its download: the API's word, the cache's state.
WorkshopItem item_of(const content::PublishedFile& file, const content::WorkshopCache& cache) {
  std::optional<content::CacheRecord> record = cache.record(file.id);
  WorkshopItem item;
  item.id = file.id;
  item.title = !file.title.empty() ? file.title : record ? record->title : "";
  item.file_size = static_cast<std::int64_t>(file.status.ok() || !record ? file.file_size : record->file_size);
  item.time_updated = file.status.ok() || !record ? file.time_updated : record->time_updated;
  item.checked_at = now_seconds();
  if (!file.status.ok()) {
    item.state = WorkshopItemState::kFailed;
    item.error = file.status.error().message() + (record ? " (the copy fetched earlier stays)" : "");
  } else if (record && record->time_updated == file.time_updated && record->file_size == file.file_size) {
    item.state = WorkshopItemState::kOk;
    item.bytes_done = item.file_size;
  } else {
    item.state = WorkshopItemState::kQueued;
  }
  return item;
}

// The directories under overlays/ (every overlay on disk, records or not).
Result<std::vector<std::string>> overlay_directories(const model::Layout& layout) {
  DIR* dir = ::opendir(layout.overlays().c_str());
  if (dir == nullptr) {
    if (errno == ENOENT) return std::vector<std::string>{};
    return Error::from_errno("opendir " + layout.overlays(), errno);
  }
  std::vector<std::string> directories;
  while (dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (is_directory(layout.overlay(name))) directories.push_back(layout.overlay(name));
  }
  ::closedir(dir);
  return directories;
}

}  // namespace

Status WorkshopRefresher::run(const Job& job, const JobSink& sink) {
  Result<model::Layout> layout = model::Layout::create(options_.root);
  if (!layout) return layout.error();
  std::vector<std::int64_t> ids;
  if (job.overlay_id) {
    ids.push_back(*job.overlay_id);
  } else {
    Result<std::vector<std::int64_t>> all = lists_.workshop_overlays();
    if (!all) return all.error();
    ids = std::move(*all);
    sink.log(fmt::format("{} Workshop overlay(s) to refresh", ids.size()));
  }
  content::SteamApiOptions api_options;
  api_options.base_url = options_.steam_api_url;
  content::SteamWebApi api(api_options);
  content::WorkshopCache cache(*layout, {});
  std::vector<std::string> failed;
  for (std::int64_t id : ids) {
    if (sink.stopping()) return Error::failed("the web app shut down while this job ran");
    Result<Overlay> overlay = overlays_.get(id, kSystem);
    if (!overlay) {
      sink.log(fmt::format("overlay {}: it was deleted", id));
      if (job.overlay_id) return Error::not_found("the overlay was deleted");
      continue;
    }
    if (Status status = refresh(*layout, *overlay, api, cache, sink); !status) {
      sink.log(fmt::format("overlay '{}': {}", overlay->name, status.error().message()));
      if (sink.stopping()) return Error::failed("the web app shut down while this job ran");
      failed.push_back(overlay->name);
    }
  }
  collect(*layout, cache, sink);
  sink.log(fmt::format("{} Steam Web API request(s)", api.requests()));
  if (!failed.empty()) {
    return Error::failed(fmt::format("{} overlay(s) could not be refreshed: {}", failed.size(), join(failed, ", ")));
  }
  return ok_status();
}

Status WorkshopRefresher::refresh(const model::Layout& layout, const Overlay& overlay, content::SteamWebApi& api,
                                  content::WorkshopCache& cache, const JobSink& sink) {
  Result<WorkshopList> list = lists_.get(overlay.id);
  if (!list) return list.error();
  sink.log(fmt::format("overlay '{}': {} id(s) given", overlay.name, list->entries.size()));
  Result<content::CollectionResolution> resolved = api.resolve(list->entries);
  if (!resolved) {
    (void)lists_.finish_refresh(overlay.id, now_seconds(), resolved.error().message());
    return resolved.error();
  }
  for (const Error& problem : resolved->problems) sink.log(fmt::format("left out: {}", problem.message()));
  std::vector<content::PublishedFile> files = api.details(resolved->items);
  std::vector<WorkshopItem> items;
  for (const content::PublishedFile& file : files) items.push_back(item_of(file, cache));
  if (Status stored = lists_.set_items(overlay.id, items); !stored) return stored;
  if (Status downloaded = download(overlay, files, items, cache, sink); !downloaded) return downloaded;
  std::vector<std::string> linked;
  for (const content::PublishedFile& file : files) {
    if (cache.record(file.id)) linked.push_back(file.id);
  }
  std::string directory = layout.overlay(overlay.directory);
  Status made = is_directory(directory) ? ok_status() : make_directories(directory);
  Status status = made ? cache.link_into(directory, linked, content::Prune::kYes) : made;
  (void)lists_.finish_refresh(overlay.id, now_seconds(), status ? "" : status.error().message());
  if (!status) return status;
  // What the overlay holds now counts toward its owner's quota (overlay_quota.h), as an upload's bytes would.
  Result<std::int64_t> bytes = overlay_tree_bytes(directory);
  if (!bytes) return bytes.error();
  if (Status recorded = overlays_.set_size(overlay.id, *bytes); !recorded) return recorded;
  int failed = 0;
  for (const WorkshopItem& item : items) failed += item.state == WorkshopItemState::kFailed;
  sink.log(fmt::format("overlay '{}': {} item(s) linked, {} failed", overlay.name, linked.size(), failed));
  return ok_status();
}

Status WorkshopRefresher::download(const Overlay& overlay, const std::vector<content::PublishedFile>& files,
                                   std::vector<WorkshopItem>& items, content::WorkshopCache& cache,
                                   const JobSink& sink) {
  for (std::size_t i = 0; i < files.size(); ++i) {
    WorkshopItem& item = items[i];
    if (item.state == WorkshopItemState::kFailed) {
      sink.log(fmt::format("{}: failed: {}", describe(item.id, item.title), item.error));
      continue;
    }
    if (item.state != WorkshopItemState::kQueued) {  // unchanged since its last download: a line all the same
      sink.log(fmt::format("{}: up to date ({} bytes)", describe(item.id, item.title), item.file_size));
      continue;
    }
    if (sink.stopping()) return Error::failed("the web app shut down while this job ran");
    (void)lists_.set_item_state(overlay.id, item.id, WorkshopItemState::kDownloading, "", 0);
    auto last_write = std::chrono::steady_clock::now();
    content::ItemOutcome outcome = cache.refresh_one(files[i], [&](const std::string& id, std::uint64_t done,
                                                                   std::uint64_t) {
      auto now = std::chrono::steady_clock::now();
      if (now - last_write < kProgressEvery) return;
      last_write = now;
      (void)lists_.set_item_state(overlay.id, id, WorkshopItemState::kDownloading, "", static_cast<std::int64_t>(done));
    });
    if (outcome.action == content::ItemAction::kFailed) {
      item.state = WorkshopItemState::kFailed;
      item.error =
          outcome.status.error().message() + (cache.record(item.id) ? " (the copy fetched earlier stays)" : "");
      item.bytes_done = 0;
      sink.log(fmt::format("{}: failed: {}", describe(item.id, item.title), item.error));
    } else {
      item.state = WorkshopItemState::kOk;
      item.bytes_done = item.file_size;
      sink.log(fmt::format("{}: {} ({} bytes)", describe(item.id, item.title),
                           outcome.action == content::ItemAction::kDownloaded ? "downloaded" : "up to date",
                           item.file_size));
    }
    (void)lists_.set_item_state(overlay.id, item.id, item.state, item.error, item.bytes_done);
  }
  return ok_status();
}

void WorkshopRefresher::collect(const model::Layout& layout, content::WorkshopCache& cache, const JobSink& sink) {
  Result<std::vector<std::string>> directories = overlay_directories(layout);
  Result<std::vector<std::string>> unused = directories ? content::unreferenced_items(layout, *directories)
                                                        : Result<std::vector<std::string>>(directories.error());
  if (!unused) {
    sink.log(fmt::format("the Workshop cache was not collected: {}", unused.error().message()));
    return;
  }
  for (const std::string& id : *unused) {
    if (Status removed = cache.remove(id); !removed) {
      sink.log(fmt::format("cannot remove unused item {} from the cache: {}", id, removed.error().message()));
    }
  }
  if (!unused->empty()) sink.log(fmt::format("removed {} item(s) no overlay uses from the cache", unused->size()));
}

}  // namespace left4me::web
