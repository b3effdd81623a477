// The refresh_workshop job, run inside the web app (not through l4d2ctl: the Workshop cache and the overlays are the
// service user's files): each Workshop overlay's ids resolved through the Steam Web API, changed items downloaded
// into workshop_cache/ and linked into the overlay (content/workshop_refresh.h's steps), each item's state written
// as it goes (WorkshopLists), and afterwards the cached items no overlay uses removed. One refresh at a time (the
// job runner's "workshop" lane); not synchronized otherwise.
#pragma once

#include <functional>
#include <string>

#include "base/result.h"
#include "content/steam_web_api.h"
#include "content/workshop_cache.h"
#include "model/layout.h"
#include "web/job_runner.h"
#include "web/jobs.h"
#include "web/overlays.h"
#include "web/workshop_lists.h"

namespace left4me::web {

struct WorkshopRefreshOptions {
  std::string root;           // the host root (LEFT4ME_ROOT)
  std::string steam_api_url;  // STEAM_WEB_API_URL
};

class WorkshopRefresher {
 public:
  WorkshopRefresher(Overlays& overlays, WorkshopLists& lists, WorkshopRefreshOptions options)
      : overlays_(overlays), lists_(lists), options_(std::move(options)) {}

  // Runs a refresh_workshop job: its overlay, or every Workshop overlay when it names none. An item that fails is
  // recorded (state failed, the reason) and logged and never stops the others; an earlier copy of it stays linked.
  // Fails, naming them, when overlays could not be refreshed as a whole (their ids could not be resolved, the
  // overlay could not be linked), or when the web app stops meanwhile (between items).
  Status run(const Job& job, const JobSink& sink);

 private:
  Status refresh(const model::Layout& layout, const Overlay& overlay, content::SteamWebApi& api,
                 content::WorkshopCache& cache, const JobSink& sink);
  // Downloads the items marked queued, one by one, recording each one's progress and outcome.
  Status download(const Overlay& overlay, const std::vector<content::PublishedFile>& files,
                  std::vector<WorkshopItem>& items, content::WorkshopCache& cache, const JobSink& sink);
  // Removes the cached items no directory under overlays/ holds.
  void collect(const model::Layout& layout, content::WorkshopCache& cache, const JobSink& sink);

  Overlays& overlays_;
  WorkshopLists& lists_;
  WorkshopRefreshOptions options_;
};

}  // namespace left4me::web
