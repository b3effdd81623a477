// The Game builds page (administrators): every installed build with its id, PatchVersion, whether it is current
// and which servers run it; the last check for an update; rolling back (`install --use`), removing unused builds,
// and restarting servers on the current build once nobody plays on them (switch_build jobs).
#include <fmt/format.h>

#include <ctime>

#include "base/strings.h"
#include "web/game_builds.h"
#include "web/handlers.h"
#include "web/pages.h"
#include "web/responses.h"
#include "web/server_view.h"

namespace left4me::web::page {
namespace {

constexpr Scope kEveryServer{0, true};

// The servers the panel manages that run a build other than the current one (by the live status), with the
// build each runs; the instances the panel does not manage are left out.
struct OldBuildServer {
  const Server* server;
  std::string build;
  std::string players;
};

std::vector<OldBuildServer> servers_on_old_builds(const std::vector<Server>& servers, const StatusMap& statuses) {
  std::vector<OldBuildServer> found;
  for (const Server& server : servers) {
    std::optional<std::string> instance = server.managed_instance();
    auto status = instance ? statuses.find(*instance) : statuses.end();
    if (status == statuses.end() || !status->second.contains("build")) continue;
    const nlohmann::json& build = status->second["build"];
    if (!build.is_object() || build.value("current", true)) continue;
    std::string players;
    const nlohmann::json& live = status->second.value("live", nlohmann::json());
    if (live.is_object()) players = fmt::format("{}/{}", live.value("players", 0), live.value("max_players", 0));
    found.push_back({&server, build.value("id", ""), players});
  }
  return found;
}

nlohmann::json check_view(const GameBuilds& builds) {
  if (!builds.last_check) return nullptr;
  const UpdateCheck& check = *builds.last_check;
  nlohmann::json view = {{"when", time_view(check.at)}, {"error", check.error}, {"available", ""}};
  if (check.available) {
    view["available"] = *check.available;
    view["installed"] = builds.is_installed(*check.available);
    view["is_current"] = builds.current == check.available;
  }
  return view;
}

nlohmann::json builds_view(const GameBuilds& builds, const std::vector<Server>& servers) {
  std::map<std::string, const Server*> by_instance;
  for (const Server& server : servers) {
    if (std::optional<std::string> instance = server.managed_instance()) by_instance[*instance] = &server;
  }
  nlohmann::json rows = nlohmann::json::array();
  for (const InstalledBuild& build : builds.builds) {
    nlohmann::json users = nlohmann::json::array();
    for (const std::string& instance : build.used_by) {
      auto server = by_instance.find(instance);
      if (server == by_instance.end()) {
        users.push_back({{"name", instance}, {"server_id", nullptr}});  // an instance the panel does not manage
      } else {
        users.push_back({{"name", server->second->name}, {"server_id", server->second->id}});
      }
    }
    rows.push_back({{"id", build.id},
                    {"version", build.version},
                    {"current", build.current},
                    {"used_by", users},
                    {"unused", build.used_by.empty()},
                    {"removable", !build.current && build.used_by.empty()}});
  }
  return rows;
}

std::string duration_text(std::chrono::seconds duration) {
  if (duration.count() != 0 && duration.count() % 60 == 0) return fmt::format("{} min", duration.count() / 60);
  return fmt::format("{} s", duration.count());
}

Response builds_page(App& app, Context& context, int status, const std::string& error) {
  nlohmann::json view = base_view(context, "Game builds", "admin");
  if (!error.empty()) view["error"] = error;
  view["max_wait"] = duration_text(app.config.build_switch_max_wait);
  view["warning"] = duration_text(app.config.build_switch_warning);
  Result<std::vector<Server>> servers = app.servers->list(kEveryServer);
  if (!servers) return error_from(servers.error());
  Result<GameBuilds> builds = read_game_builds(*app.ctl);
  if (builds) {
    view["builds"] = builds_view(*builds, *servers);
    view["has_builds"] = !builds->builds.empty();
    view["current"] = builds->current.value_or("");
    view["check"] = check_view(*builds);
  } else {
    view["builds_error"] = builds.error().message();
  }
  nlohmann::json old = nlohmann::json::array();
  Result<std::shared_ptr<const StatusMap>> statuses = app.status_cache->snapshot();
  if (statuses) {
    for (const OldBuildServer& entry : servers_on_old_builds(*servers, **statuses)) {
      old.push_back({{"id", entry.server->id},
                     {"name", entry.server->name},
                     {"owner", entry.server->owner_name},
                     {"build", entry.build},
                     {"players", entry.players}});
    }
  }
  view["old_servers"] = old;
  view["has_old_servers"] = !old.empty();
  Result<std::vector<Job>> checks =
      app.jobs->list(context.scope(), JobFilter{.type = JobType::kCheckUpdate, .limit = 1});
  if (checks && !checks->empty()) view["check_job"] = job_view(checks->front());
  return html_page(status, "builds", view);
}

// Runs `l4d2ctl install <flag> <build>`; the page again with l4d2ctl's reason when it refuses.
Response change_builds(App& app, Context& context, const std::string& flag, std::string_view notice) {
  std::string build = Form(context.request).get("build");
  if (!is_build_id(build)) return builds_page(app, context, 422, "Choose a build: '" + build + "' is no build id.");
  Result<RunResult> run = app.ctl->run({"install", flag, build, "--json"}, std::chrono::seconds(50));
  if (!run) return error_from(run.error());
  if (!run->status.success()) {
    std::string reason(trim(run->err));
    if (reason.rfind("l4d2ctl: ", 0) == 0) reason.erase(0, 9);
    int status = !run->status.signalled && run->status.code == 3 ? 404 : 409;  // 3: no such build
    return builds_page(app, context, status, reason.empty() ? "l4d2ctl " + run->status.describe() : reason);
  }
  app.status_cache->invalidate();  // `current` of every mounted server's build may have changed
  return redirect(fmt::format("/admin/builds?notice={}", notice));
}

}  // namespace

Response game_builds(App& app, Context& context) { return builds_page(app, context, 200, ""); }

Response check_for_update(App& app, Context& context) {
  Result<Job> job = app.runner->queue_update_check(context.user().id);
  if (!job) return error_from(job.error());
  return redirect("/admin/builds?notice=check_queued");
}

Response use_build(App& app, Context& context) { return change_builds(app, context, "--use", "build_used"); }

Response remove_build(App& app, Context& context) { return change_builds(app, context, "--remove", "build_removed"); }

Response switch_all_servers(App& app, Context& context) {
  Result<std::vector<Server>> servers = app.servers->list(kEveryServer);
  if (!servers) return error_from(servers.error());
  Result<std::shared_ptr<const StatusMap>> statuses = app.status_cache->snapshot();
  if (!statuses) return builds_page(app, context, 503, "The servers' builds are not known yet: try again.");
  for (const OldBuildServer& entry : servers_on_old_builds(*servers, **statuses)) {
    Result<Job> job = app.runner->queue(JobType::kSwitchBuild, *entry.server, context.user().id);
    if (!job) return error_from(job.error());
  }
  return redirect("/admin/builds?notice=switch_queued");
}

Response switch_server(App& app, Context& context, const Server& server) {
  Result<Job> job = app.runner->queue(JobType::kSwitchBuild, server, context.user().id);
  if (!job) return error_from(job.error());
  return redirect("/admin/builds?notice=switch_queued");
}

}  // namespace left4me::web::page
