// The admin page: users (create, disable, reset password) and the game installation with a live progress
// bar fed by the install job (`l4d2ctl install --json`).
#include <fmt/format.h>

#include <cmath>

#include "base/strings.h"
#include "web/pages.h"
#include "web/responses.h"

namespace left4me::web {
namespace {

Result<std::optional<Job>> latest_install(App& app, Context& context) {
  JobFilter filter;
  filter.limit = 50;
  Result<std::vector<Job>> jobs = app.jobs->list(context.scope(), filter);
  if (!jobs) return jobs.error();
  for (const Job& job : *jobs) {
    if (job.type == "install") return std::optional<Job>(job);
  }
  return std::optional<Job>();
}

nlohmann::json install_view(Context& context, const std::optional<Job>& job) {
  nlohmann::json view = {{"csrf", context.auth->csrf_token}, {"job", nullptr}};
  if (!job) return view;
  nlohmann::json out = job_view(*job);
  double percent = job->state == "succeeded" ? 100.0 : 0.0;
  nlohmann::json progress = nlohmann::json::parse(job->progress.empty() ? "null" : job->progress, nullptr, false);
  if (progress.is_object()) {
    if (progress.contains("percent") && progress["percent"].is_number()) percent = progress["percent"].get<double>();
    out["phase"] = progress.value("phase", "");
    if (progress.contains("bytes_total") && progress["bytes_total"].is_number() &&
        progress["bytes_total"].get<double>() > 0) {
      out["bytes"] = fmt::format("{} of {}", format_bytes(progress.value("bytes_done", 0.0)),
                                 format_bytes(progress["bytes_total"].get<double>()));
    }
  }
  percent = std::clamp(percent, 0.0, 100.0);
  out["percent"] = fmt::format("{:.0f}", std::floor(percent));
  out["percent_text"] = fmt::format("{:.1f}", percent);
  view["job"] = out;
  return view;
}

Response admin_page(App& app, Context& context, int status, nlohmann::json extra) {
  nlohmann::json view = base_view(context, "Administration", "admin");
  for (auto it = extra.begin(); it != extra.end(); ++it) view[it.key()] = it.value();
  Result<std::vector<User>> users = app.accounts->list_users();
  if (!users) return error_from(users.error());
  nlohmann::json list = nlohmann::json::array();
  const DefaultLimits& defaults = app.config.user_limits;
  for (const User& user : *users) {
    list.push_back({{"id", user.id},
                    {"name", user.name},
                    {"is_admin", user.is_admin},
                    {"disabled", user.disabled},
                    {"is_me", user.id == context.user().id},
                    {"created", format_time(user.created_at)},
                    {"max_servers", user.max_servers ? std::to_string(*user.max_servers) : ""},
                    {"max_blueprints", user.max_blueprints ? std::to_string(*user.max_blueprints) : ""},
                    {"servers_limit", user.max_servers.value_or(defaults.servers)},
                    {"blueprints_limit", user.max_blueprints.value_or(defaults.blueprints)}});
  }
  view["users"] = list;
  view["default_servers"] = defaults.servers;
  view["default_blueprints"] = defaults.blueprints;
  view["max_limit"] = kMaxUserLimit;
  Result<std::optional<Job>> install = latest_install(app, context);
  if (!install) return error_from(install.error());
  view["install"] = install_view(context, *install);
  return html_page(status, "admin", view);
}

Response admin_error(App& app, Context& context, int status, const std::string& message) {
  return admin_page(app, context, status, {{"error", message}});
}

}  // namespace

void register_admin_pages(App& app) {
  app.add_route({"GET", "/admin", Access::kAdmin,
                 [&app](Context& context) { return admin_page(app, context, 200, nlohmann::json::object()); }});

  app.add_route(
      {"POST", "/admin/users", Access::kAdmin, [&app](Context& context) {
         Form form(context.request);
         std::string name = form.get("name");
         std::string password = form.get("password");
         nlohmann::json kept = {{"new_name", name}, {"new_admin", form.has("admin")}};
         if (auto problem = check_user_name(name)) {
           kept["new_name_error"] = *problem;
           return admin_page(app, context, 422, kept);
         }
         if (auto problem = check_password_rules(password)) {
           kept["new_password_error"] = *problem;
           return admin_page(app, context, 422, kept);
         }
         Result<User> user = app.accounts->create_user(name, password, form.has("admin") ? Role::kAdmin : Role::kUser);
         if (!user) {
           if (user.error().code() != ErrorCode::kAlreadyExists && user.error().code() != ErrorCode::kInvalidArgument) {
             return error_from(user.error());
           }
           kept["new_name_error"] = user.error().message();
           return admin_page(app, context, 422, kept);
         }
         return redirect("/admin?notice=user_created");
       }});

  app.add_route({"POST", "/admin/users/{id}/disabled", Access::kAdmin, [&app](Context& context) {
                   std::optional<std::int64_t> id = context.id_param(0);
                   if (!id) return error_response(404, "not_found", "user not found");
                   bool disabled = Form(context.request).get("disabled") == "1";
                   if (*id == context.user().id && disabled) {
                     return admin_error(app, context, 422, "You cannot disable yourself.");
                   }
                   if (Status status = app.accounts->set_disabled(*id, disabled); !status) {
                     return error_from(status.error());
                   }
                   return redirect("/admin?notice=user_updated");
                 }});

  app.add_route({"POST", "/admin/users/{id}/password", Access::kAdmin, [&app](Context& context) {
                   std::optional<std::int64_t> id = context.id_param(0);
                   if (!id) return error_response(404, "not_found", "user not found");
                   std::string password = Form(context.request).get("password");
                   if (auto problem = check_password_rules(password)) {
                     return admin_error(app, context, 422, "Password not reset: " + *problem + ".");
                   }
                   if (Status status = app.accounts->set_password(*id, password); !status) {
                     return error_from(status.error());
                   }
                   if (*id == context.user().id) {
                     // Resetting one's own password ends every session, this one too: start a new one.
                     return start_session(app, context.user(), redirect("/admin?notice=user_updated"));
                   }
                   return redirect("/admin?notice=user_updated");
                 }});

  app.add_route({"POST", "/admin/users/{id}/limits", Access::kAdmin, [&app](Context& context) {
                   std::optional<std::int64_t> id = context.id_param(0);
                   if (!id) return error_response(404, "not_found", "user not found");
                   Form form(context.request);
                   std::vector<std::pair<Owned, std::optional<int>>> limits;
                   for (Owned what : {Owned::kServers, Owned::kBlueprints}) {
                     std::string text(trim(form.get(limit_column(what))));
                     std::optional<long long> limit = parse_int(text, 0, kMaxUserLimit);
                     if (!text.empty() && !limit) {
                       return admin_error(
                           app, context, 422,
                           fmt::format("Limits not saved: {} must be a whole number from 0 to {}, or "
                                       "empty for the default.",
                                       what == Owned::kServers ? "servers" : "blueprints", kMaxUserLimit));
                     }
                     limits.emplace_back(what, limit ? std::optional<int>(static_cast<int>(*limit)) : std::nullopt);
                   }
                   for (const auto& [what, limit] : limits) {
                     if (Status status = app.accounts->set_limit(*id, what, limit); !status) {
                       return error_from(status.error());
                     }
                   }
                   return redirect("/admin?notice=user_updated");
                 }});

  app.add_route({"POST", "/admin/install", Access::kAdmin, [&app](Context& context) {
                   Result<Job> job =
                       app.jobs->enqueue("install", "installation", std::nullopt, context.user().id, Dedupe::kYes);
                   if (!job) return error_from(job.error());
                   app.runner->notify();
                   if (!is_htmx(context.request)) return redirect("/admin?notice=install_queued");
                   return html_fragment(200, "_install", install_view(context, *job));
                 }});

  app.add_route({"GET", "/admin/install/progress", Access::kAdmin, [&app](Context& context) {
                   Result<std::optional<Job>> install = latest_install(app, context);
                   if (!install) return error_from(install.error());
                   return html_fragment(200, "_install", install_view(context, *install));
                 }});
}

}  // namespace left4me::web
