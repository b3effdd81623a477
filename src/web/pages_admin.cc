// The admin page: users (create, disable, reset password, role, limits, delete), the game installation with a live
// progress bar fed by the install job (`l4d2ctl install --json`), and adopting host instances the panel did not make.
#include <fmt/format.h>

#include <cmath>

#include "base/strings.h"
#include "json/parse_json.h"
#include "web/adoption.h"
#include "web/handlers.h"
#include "web/overlay_quota.h"
#include "web/pages.h"
#include "web/responses.h"
#include "web/sessions.h"
#include "web/user_removal.h"

namespace left4me::web::page {
namespace {

Result<std::optional<Job>> latest_install(App& app, Context& context) {
  Result<std::vector<Job>> jobs = app.jobs->list(
      context.scope(), JobFilter{.type = JobType::kInstall, .target = std::string(kInstallationTarget), .limit = 1});
  if (!jobs) return jobs.error();
  if (jobs->empty()) return std::optional<Job>();
  return std::optional<Job>(jobs->front());
}

nlohmann::json install_view(Context& context, const std::optional<Job>& job) {
  nlohmann::json view = {{"csrf", context.auth->csrf_token}, {"job", nullptr}};
  if (!job) return view;
  view["job"] = job_view(*job);  // with its progress ("install")
  return view;
}

// The host instances no server names, each with an adoption form; `attempt` ({instance, name, error}) is a
// refused adoption to show again in its row.
Result<nlohmann::json> adoptable_view(App& app, const User& viewer, const nlohmann::json& attempt) {
  nlohmann::json view = {
      {"instances", nlohmann::json::array()}, {"error", ""}, {"blueprints", nlohmann::json::array()}};
  Result<std::vector<UnmanagedInstance>> instances = unmanaged_instances(app);
  if (!instances) {
    view["error"] = "The instances on the host are not known yet: " + instances.error().message();
    return view;
  }
  Result<std::vector<User>> users = app.accounts->list_users();
  if (!users) return users.error();
  std::map<std::int64_t, std::string> owners;
  for (const User& user : *users) owners[user.id] = user.name;
  Result<std::vector<Blueprint>> blueprints = app.blueprints->list(Scope{viewer.id, true});
  if (!blueprints) return blueprints.error();
  for (const Blueprint& blueprint : *blueprints) {
    view["blueprints"].push_back({{"id", blueprint.id}, {"label", owners[blueprint.owner_id] + ": " + blueprint.name}});
  }
  bool shown = false;
  for (const UnmanagedInstance& instance : *instances) {
    bool retried = attempt.value("instance", "") == instance.name;
    shown |= retried;
    view["instances"].push_back({{"instance", instance.name},
                                 {"state", to_string(instance.state)},
                                 {"port", instance.port ? std::to_string(*instance.port) : ""},
                                 {"name", retried ? attempt.value("name", "") : instance.name},
                                 {"error", retried ? attempt.value("error", "") : ""}});
  }
  // A refused adoption of an instance no longer listed (gone from the host, adopted meanwhile) shows above.
  if (!shown && !attempt.value("error", "").empty()) view["error"] = attempt.value("error", "");
  view["has_instances"] = !instances->empty();
  view["has_blueprints"] = !blueprints->empty();
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
    Result<OverlayQuota> quota = overlay_quota(*app.database, user.id, app.config.overlay_quota_bytes);
    if (!quota) return error_from(quota.error());
    list.push_back({{"id", user.id},
                    {"overlay_quota_bytes", quota->own ? std::to_string(*quota->own) : ""},
                    {"overlay_used", format_bytes(static_cast<double>(quota->used))},
                    {"name", user.name},
                    {"is_admin", user.is_admin},
                    {"disabled", user.disabled},
                    {"deleting", user.deleting},
                    {"two_factor", user.two_factor},
                    {"is_me", user.id == context.user().id},
                    {"created", time_view(user.created_at)},
                    {"max_servers", user.max_servers ? std::to_string(*user.max_servers) : ""},
                    {"max_blueprints", user.max_blueprints ? std::to_string(*user.max_blueprints) : ""},
                    {"servers_limit", user.max_servers.value_or(defaults.servers)},
                    {"blueprints_limit", user.max_blueprints.value_or(defaults.blueprints)}});
  }
  view["users"] = list;
  view["default_servers"] = defaults.servers;
  view["default_blueprints"] = defaults.blueprints;
  view["max_limit"] = kMaxUserLimit;
  view["default_overlay_quota"] = app.config.overlay_quota_bytes;
  view["default_overlay_quota_text"] = format_bytes(static_cast<double>(app.config.overlay_quota_bytes));
  Result<bool> required = app.two_factor->required_for_admins();
  if (!required) return error_from(required.error());
  view["admin_two_factor_required"] = *required;
  Result<std::optional<Job>> install = latest_install(app, context);
  if (!install) return error_from(install.error());
  view["install"] = install_view(context, *install);
  Result<nlohmann::json> adoptable = adoptable_view(app, context.user(), view.value("adopt", nlohmann::json::object()));
  if (!adoptable) return error_from(adoptable.error());
  view["adoptable"] = std::move(*adoptable);
  return html_page(status, "admin", view);
}

Response admin_error(App& app, Context& context, int status, const std::string& message) {
  return admin_page(app, context, status, {{"error", message}});
}

// A refused change of a user on the admin page, saying what was not done and why (`what`: "User not deleted");
// an error that is no refusal is the error page.
Response refused_change(App& app, Context& context, std::string_view what, const Error& error) {
  if (error.code() == ErrorCode::kInvalidArgument) {
    return admin_error(app, context, 422, fmt::format("{}: {}.", what, error.message()));
  }
  if (error.code() == ErrorCode::kAlreadyExists) {
    return admin_error(app, context, 409, fmt::format("{}: {}.", what, error.message()));
  }
  return error_from(error);
}

}  // namespace

Response admin(App& app, Context& context) { return admin_page(app, context, 200, nlohmann::json::object()); }

Response create_user(App& app, Context& context) {
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
    ErrorCode code = user.error().code();
    if (code != ErrorCode::kAlreadyExists && code != ErrorCode::kInvalidArgument) return error_from(user.error());
    kept["new_name_error"] = user.error().message();
    return admin_page(app, context, 422, kept);
  }
  return redirect("/admin?notice=user_created");
}

Response set_user_disabled(App& app, Context& context, const UserId& user) {
  bool disabled = Form(context.request).get("disabled") == "1";
  if (user.value == context.user().id && disabled)
    return admin_error(app, context, 422, "You cannot disable yourself.");
  if (Status status = app.accounts->set_disabled(user.value, disabled); !status) {
    return refused_change(app, context, "User not changed", status.error());
  }
  return redirect("/admin?notice=user_updated");
}

Response reset_two_factor(App& app, Context& context, const UserId& user) {
  Result<std::optional<User>> target = app.accounts->find_user(user.value);
  if (!target) return error_from(target.error());
  if (!*target) return error_response(404, "not_found", "user not found");
  if (!(*target)->two_factor) {
    return admin_error(app, context, 409,
                       fmt::format("Two-factor sign-in not reset: {} does not use it.", (*target)->name));
  }
  if (Status status = app.two_factor->turn_off(user.value); !status) return error_from(status.error());
  if (Status status = app.audit->record({context.user().id, context.user().name}, audit::kTwoFactorReset,
                                        "user " + (*target)->name);
      !status) {
    return error_from(status.error());
  }
  return redirect("/admin?notice=two_factor_reset");
}

Response set_admin_two_factor(App& app, Context& context) {
  bool required = Form(context.request).get("required") == "1";
  Result<bool> before = app.two_factor->required_for_admins();
  if (!before) return error_from(before.error());
  if (required && !*before && !context.user().two_factor) {
    return admin_error(app, context, 409,
                       "Setting not saved: set up your own two-factor sign-in first (on your account page).");
  }
  if (*before != required) {
    if (Status status = app.two_factor->set_required_for_admins(required); !status) return error_from(status.error());
    if (Status status = app.audit->record({context.user().id, context.user().name}, audit::kAdminTwoFactorRequired,
                                          "settings", required ? "on" : "off");
        !status) {
      return error_from(status.error());
    }
  }
  return redirect("/admin?notice=admin_two_factor_saved");
}

Response reset_password(App& app, Context& context, const UserId& user) {
  std::string password = Form(context.request).get("password");
  if (auto problem = check_password_rules(password)) {
    return admin_error(app, context, 422, "Password not reset: " + *problem + ".");
  }
  if (Status status = app.accounts->set_password(user.value, password); !status) return error_from(status.error());
  if (user.value == context.user().id) {
    // Resetting one's own password ends every session, this one too: start a new one.
    return start_session(app, context.user(), redirect("/admin?notice=user_updated"));
  }
  return redirect("/admin?notice=user_updated");
}

Response set_user_limits(App& app, Context& context, const UserId& user) {
  Form form(context.request);
  std::vector<std::pair<Owned, std::optional<int>>> limits;
  for (Owned what : {Owned::kServers, Owned::kBlueprints}) {
    std::string text(trim(form.get(limit_column(what))));
    std::optional<long long> limit = parse_int(text, 0, kMaxUserLimit);
    if (!text.empty() && !limit) {
      return admin_error(app, context, 422,
                         fmt::format("Limits not saved: {} must be a whole number from 0 to {}, or empty for the "
                                     "default.",
                                     what == Owned::kServers ? "servers" : "blueprints", kMaxUserLimit));
    }
    limits.emplace_back(what, limit ? std::optional<int>(static_cast<int>(*limit)) : std::nullopt);
  }
  std::string quota_text(trim(form.get("overlay_quota_bytes")));
  std::optional<long long> quota = parse_int(quota_text, 0, INT64_MAX);
  if (!quota_text.empty() && !quota) {
    return admin_error(
        app, context, 422,
        "Limits not saved: the overlay quota must be a whole number of bytes, or empty for the default.");
  }
  for (const auto& [what, limit] : limits) {
    if (Status status = app.accounts->set_limit(user.value, what, limit); !status) return error_from(status.error());
  }
  if (form.has("overlay_quota_bytes")) {
    std::optional<std::int64_t> bytes = quota ? std::optional<std::int64_t>(*quota) : std::nullopt;
    if (Status status = set_overlay_quota(*app.database, user.value, bytes); !status) return error_from(status.error());
  }
  return redirect("/admin?notice=user_updated");
}

Response set_user_role(App& app, Context& context, const UserId& user) {
  std::string role = Form(context.request).get("role");
  if (role != "admin" && role != "user")
    return admin_error(app, context, 422, "Role not changed: choose admin or user.");
  if (Status status =
          app.accounts->set_role(user.value, role == "admin" ? Role::kAdmin : Role::kUser, context.user().id);
      !status) {
    return refused_change(app, context, "Role not changed", status.error());
  }
  return redirect("/admin?notice=user_updated");
}

Response confirm_delete_user(App& app, Context& context, const UserId& user) {
  Result<UserRemoval> owned = plan_user_removal(app, user.value);
  if (!owned) return error_from(owned.error());
  nlohmann::json view = base_view(context, "Delete " + owned->user.name, "admin");
  nlohmann::json servers = nlohmann::json::array();
  for (const Server& server : owned->servers) servers.push_back({{"id", server.id}, {"name", server.name}});
  nlohmann::json blueprints = nlohmann::json::array();
  for (const Blueprint& blueprint : owned->blueprints) blueprints.push_back({{"name", blueprint.name}});
  view["doomed"] = {{"id", owned->user.id},
                    {"name", owned->user.name},
                    {"is_me", owned->user.id == context.user().id},
                    {"deleting", owned->user.deleting},
                    {"servers", servers},
                    {"server_count", servers.size()},
                    {"has_servers", !servers.empty()},
                    {"blueprints", blueprints},
                    {"blueprint_count", blueprints.size()},
                    {"has_blueprints", !blueprints.empty()}};
  return html_page(200, "user_delete", view);
}

Response delete_user(App& app, Context& context, const UserId& user) {
  Result<RemovalStarted> started = remove_user(app, user.value, context.user().id);
  if (!started) return refused_change(app, context, "User not deleted", started.error());
  return redirect(started->removed ? "/admin?notice=user_deleted" : "/admin?notice=user_deleting");
}

// Adopting: the blueprint chosen decides the owner (a server follows one of its owner's blueprints).
Response adopt(App& app, Context& context) {
  Form form(context.request);
  Adoption adoption;
  adoption.instance = form.get("instance");
  adoption.name = form.get("name");
  auto refuse = [&](const std::string& message) {
    nlohmann::json attempt = {{"instance", adoption.instance}, {"name", adoption.name}, {"error", message}};
    return admin_page(app, context, 422, {{"adopt", attempt}});
  };
  if (auto problem = check_server_name(adoption.name)) return refuse(*problem);
  std::optional<long long> blueprint_id = parse_int(form.get("blueprint_id"), 1, INT64_MAX);
  if (!blueprint_id) return refuse("choose a blueprint");
  Result<Blueprint> blueprint = app.blueprints->get(*blueprint_id, context.scope());
  if (!blueprint) {
    if (blueprint.error().code() != ErrorCode::kNotFound) return error_from(blueprint.error());
    return refuse(blueprint.error().message());
  }
  adoption.owner_id = blueprint->owner_id;
  adoption.blueprint_id = blueprint->id;
  Result<Server> server = adopt_instance(app, adoption);
  if (!server) {
    if (server.error().code() == ErrorCode::kFailed) return error_from(server.error());
    return refuse(server.error().message());
  }
  return redirect(fmt::format("/servers/{}?notice=server_adopted", server->id));
}

Response queue_install(App& app, Context& context) {
  Result<Job> job = app.runner->queue_install(context.user().id);
  if (!job) return error_from(job.error());
  if (!is_htmx(context.request)) return redirect("/admin?notice=install_queued");
  return html_fragment(200, "_install", install_view(context, *job));
}

Response install_progress(App& app, Context& context) {
  Result<std::optional<Job>> install = latest_install(app, context);
  if (!install) return error_from(install.error());
  return html_fragment(200, "_install", install_view(context, *install));
}

}  // namespace left4me::web::page
