// The one route table. App::dispatch matches a request against it in order, then applies the access rules (401,
// the login page, CSRF, read-only tokens, 403 for administrators' routes) before the handler runs; a handler that
// takes an object gets the one its {id} names, else the answer is 404 (route.h); a server's route names what it does
// to the server, and runs only if may() allows it (authorization.h). A new route is a row here and a handler declared
// in handlers.h; AppTest.AuthorizationMatrix walks this table.
#include "web/routes.h"

#include "web/handlers.h"
#include "web/metrics.h"
#include "web/overlay_uploads.h"

namespace left4me::web {
namespace {

constexpr Access kPublic = Access::kPublic;
constexpr Access kUser = Access::kUser;
constexpr Access kAdmin = Access::kAdmin;
// What a server's route does to its server (authorization.h).
constexpr ServerAction kView = ServerAction::kView;
constexpr ServerAction kConsoleRead = ServerAction::kConsoleRead;
constexpr ServerAction kStart = ServerAction::kStart;
constexpr ServerAction kStop = ServerAction::kStop;
constexpr ServerAction kRestart = ServerAction::kRestart;
constexpr ServerAction kRcon = ServerAction::kRcon;
constexpr ServerAction kRconPassword = ServerAction::kRconPassword;
constexpr ServerAction kChangeBlueprint = ServerAction::kChangeBlueprint;
constexpr ServerAction kShare = ServerAction::kShare;
constexpr ServerAction kSchedule = ServerAction::kSchedule;
constexpr ServerAction kDelete = ServerAction::kDelete;
constexpr ServerAction kSwitchBuild = ServerAction::kSwitchBuild;

// clang-format off
constexpr Route kRoutes[] = {
    // The JSON API (docs/api.md).
    {"GET",    "/health",                           kPublic, on<api::health>},
    {"GET",    "/api/v1/csrf",                      kPublic, on<api::get_login_csrf>},
    {"POST",   "/api/v1/session",                   kPublic, on<api::log_in>},
    {"POST",   "/api/v1/session/code",              kPublic, on<api::log_in_code>},
    {"GET",    "/api/v1/session",                   kUser,   on<api::get_session>},
    {"DELETE", "/api/v1/session",                   kUser,   on<api::log_out>},
    {"POST",   "/api/v1/setup",                     kPublic, on<api::set_up>},
    {"PUT",    "/api/v1/me/password",               kUser,   on<api::change_password>},
    {"GET",    "/api/v1/tokens",                    kUser,   on<api::list_tokens>},
    {"POST",   "/api/v1/tokens",                    kUser,   on<api::create_token>},
    {"DELETE", "/api/v1/tokens/{id}",               kUser,   on<api::revoke_token>},
    {"GET",    "/api/v1/users",                     kAdmin,  on<api::list_users>},
    {"POST",   "/api/v1/users",                     kAdmin,  on<api::create_user>},
    {"PATCH",  "/api/v1/users/{id}",                kAdmin,  on<api::update_user>},
    {"GET",    "/api/v1/users/{id}",                kAdmin,  on<api::get_user>},
    {"DELETE", "/api/v1/users/{id}",                kAdmin,  on<api::delete_user>},
    {"DELETE", "/api/v1/users/{id}/two-factor",     kAdmin,  on<api::reset_two_factor>},
    {"GET",    "/api/v1/blueprints",                kUser,   on<api::list_blueprints>},
    {"POST",   "/api/v1/blueprints",                kUser,   on<api::create_blueprint>},
    {"GET",    "/api/v1/blueprints/{id}",           kUser,   on<api::get_blueprint>},
    {"PUT",    "/api/v1/blueprints/{id}",           kUser,   on<api::update_blueprint>},
    {"DELETE", "/api/v1/blueprints/{id}",           kUser,   on<api::delete_blueprint>},
    {"GET",    "/api/v1/overlays",                  kUser,   on<api::list_overlays>},
    {"POST",   "/api/v1/overlays",                  kUser,   on<api::create_overlay>},
    {"GET",    "/api/v1/overlays/{id}",             kUser,   on<api::get_overlay>},
    {"PATCH",  "/api/v1/overlays/{id}",             kUser,   on<api::rename_overlay>},
    {"DELETE", "/api/v1/overlays/{id}",             kUser,   on<api::delete_overlay>},
    {"GET",    "/api/v1/overlays/{id}/workshop",    kUser,   on<api::get_workshop>},
    {"PUT",    "/api/v1/overlays/{id}/workshop",    kUser,   on<api::put_workshop>},
    {"POST",   "/api/v1/overlays/{id}/workshop/refresh", kUser, on<api::refresh_workshop>},
    {"GET",    "/api/v1/overlays/{id}/script",      kUser,   on<api::get_overlay_script>},
    {"PUT",    "/api/v1/overlays/{id}/script",      kUser,   on<api::put_overlay_script>},
    {"POST",   "/api/v1/overlays/{id}/script/build", kUser,  on<api::build_overlay>},
    {"GET",    "/api/v1/servers",                   kUser,   on<api::list_servers>},
    {"POST",   "/api/v1/servers",                   kUser,   on<api::create_server>},
    {"GET",    "/api/v1/servers/adoptable",         kAdmin,  on<api::list_adoptable>},  // before .../{id}
    {"POST",   "/api/v1/servers/adopt",             kAdmin,  on<api::adopt_server>},
    {"GET",    "/api/v1/servers/{id}",              kUser,   on_server<kView, api::get_server>},
    {"POST",   "/api/v1/servers/{id}/start",        kUser,   on_server<kStart, api::start_server>},
    {"POST",   "/api/v1/servers/{id}/stop",         kUser,   on_server<kStop, api::stop_server>},
    {"POST",   "/api/v1/servers/{id}/restart",      kUser,   on_server<kRestart, api::restart_server>},
    {"DELETE", "/api/v1/servers/{id}",              kUser,   on_server<kDelete, api::delete_server>},
    {"PUT",    "/api/v1/servers/{id}/blueprint",    kUser,   on_server<kChangeBlueprint, api::move_server>},
    {"GET",    "/api/v1/servers/{id}/logs",         kUser,   on_server<kConsoleRead, api::follow_console>},
    {"GET",    "/api/v1/servers/{id}/rcon",         kUser,   on_server<kRcon, api::console_audit>},
    {"POST",   "/api/v1/servers/{id}/rcon",         kUser,   on_server<kRcon, api::console_command>},
    {"GET",    "/api/v1/servers/{id}/rcon-password", kUser,  on_server<kRconPassword, api::get_rcon_password>},
    {"GET",    "/api/v1/servers/{id}/shares",       kUser,   on_server<kShare, api::list_shares>},
    {"PUT",    "/api/v1/servers/{id}/shares",       kUser,   on_server<kShare, api::share_server>},
    {"DELETE", "/api/v1/servers/{id}/shares/{user}", kUser,  on_server<kShare, api::unshare_server>},
    {"GET",    "/api/v1/servers/{id}/restart-schedule", kUser, on_server<kSchedule, api::get_restart_schedule>},
    {"PUT",    "/api/v1/servers/{id}/restart-schedule", kUser, on_server<kSchedule, api::set_restart_schedule>},
    {"GET",    "/api/v1/servers/{id}/events",       kUser,   on_server<kView, api::server_events>},
    {"GET",    "/api/v1/jobs",                      kUser,   on<api::list_jobs>},
    {"GET",    "/api/v1/jobs/{id}",                 kUser,   on<api::get_job>},
    {"POST",   "/api/v1/jobs/{id}/cancel",          kUser,   on<api::cancel_job>},
    {"GET",    "/api/v1/jobs/{id}/lines",           kUser,   on<api::job_lines>},
    {"GET",    "/api/v1/jobs/{id}/log",             kUser,   on<api::follow_job_log>},
    {"POST",   "/api/v1/install",                   kAdmin,  on<api::queue_install>},
    {"GET",    "/api/v1/install",                   kAdmin,  on<api::latest_install>},
    {"GET",    "/api/v1/hosts",                     kAdmin,  on<api::list_hosts>},
    {"POST",   "/api/v1/hosts",                     kAdmin,  on<api::create_host>},
    {"GET",    "/api/v1/hosts/{id}",                kAdmin,  on<api::get_host>},
    {"PATCH",  "/api/v1/hosts/{id}",                kAdmin,  on<api::update_host>},
    {"DELETE", "/api/v1/hosts/{id}",                kAdmin,  on<api::delete_host>},
    {"POST",   "/api/v1/hosts/{id}/confirm-key",    kAdmin,  on<api::confirm_host_key>},
    {"POST",   "/api/v1/hosts/{id}/rescan",         kAdmin,  on<api::rescan_host_key>},
    {"GET",    "/api/v1/webhooks",                  kAdmin,  on<api::list_webhooks>},
    {"POST",   "/api/v1/webhooks",                  kAdmin,  on<api::create_webhook>},
    {"GET",    "/api/v1/webhooks/{id}",             kAdmin,  on<api::get_webhook>},
    {"PUT",    "/api/v1/webhooks/{id}",             kAdmin,  on<api::update_webhook>},
    {"DELETE", "/api/v1/webhooks/{id}",             kAdmin,  on<api::delete_webhook>},
    {"POST",   "/api/v1/webhooks/{id}/test",        kAdmin,  on<api::test_webhook>},
    {"GET",    "/api/v1/overlays/{id}/managed",     kAdmin,  on<api::managed_source>},
    {"PUT",    "/api/v1/overlays/{id}/managed",     kAdmin,  on<api::set_managed_source>},
    {"POST",   "/api/v1/overlays/{id}/managed/refresh", kAdmin, on<api::refresh_managed>},
    {"POST",   "/api/v1/overlays/{id}/managed/upload", kAdmin, on<api::set_managed_upload>},
    {"GET",    "/api/v1/overlays/{id}/files",       kUser,   on<api::list_overlay_files>},
    {"DELETE", "/api/v1/overlays/{id}/files",       kUser,   on<api::delete_overlay_file>},
    {"GET",    "/api/v1/overlays/{id}/download",    kUser,   on<api::download_overlay_file>},
    {"GET",    "/api/v1/overlays/{id}/text",        kUser,   on<api::get_overlay_text>},
    {"PUT",    "/api/v1/overlays/{id}/text",        kUser,   on<api::put_overlay_text>},
    {"POST",   "/api/v1/overlays/{id}/uploads",     kUser,   on<api::start_overlay_upload>},
    {"GET",    kUploadChunkRoute,                   kUser,   on<api::get_overlay_upload>},
    {"PUT",    kUploadChunkRoute,                   kUser,   on<api::put_overlay_upload_chunk>},
    {"POST",   "/api/v1/overlays/{id}/uploads/{upload}/finish", kUser, on<api::finish_overlay_upload>},
    {"GET",    kMetricsRoute,                       kPublic, on<api::metrics>},  // loopback or a metrics token

    // The pages (HTML; forms post the API's field names).
    {"GET",    "/static/{version}/{name}",          kPublic, on<page::static_file>},
    {"GET",    "/favicon.ico",                      kPublic, on<page::favicon>},
    {"GET",    "/login",                            kPublic, on<page::login_form>},
    {"POST",   "/login",                            kPublic, on<page::log_in>},
    {"GET",    "/login/code",                       kPublic, on<page::login_code_form>},
    {"POST",   "/login/code",                       kPublic, on<page::log_in_code>},
    {"POST",   "/logout",                           kUser,   on<page::log_out>},
    {"GET",    "/setup",                            kPublic, on<page::setup_form>},
    {"POST",   "/setup",                            kPublic, on<page::set_up>},
    {"GET",    "/account",                          kUser,   on<page::account>},
    {"POST",   "/account/password",                 kUser,   on<page::change_password>},
    {"POST",   "/account/tokens",                   kUser,   on<page::create_token>},
    {"POST",   "/account/tokens/{id}/revoke",       kUser,   on<page::revoke_token>},
    {"GET",    "/account/two-factor",               kUser,   on<page::two_factor>},
    {"POST",   "/account/two-factor/setup",         kUser,   on<page::begin_two_factor>},
    {"POST",   "/account/two-factor/confirm",       kUser,   on<page::confirm_two_factor>},
    {"POST",   "/account/two-factor/disable",       kUser,   on<page::turn_off_two_factor>},
    {"POST",   "/account/two-factor/recovery-codes", kUser,  on<page::regenerate_recovery_codes>},
    {"GET",    "/",                                 kUser,   on<page::dashboard>},
    {"GET",    "/servers/rows",                     kUser,   on<page::server_rows>},  // before /servers/{id}
    {"GET",    "/servers/new",                      kUser,   on<page::new_server>},
    {"POST",   "/servers",                          kUser,   on<page::create_server>},
    {"GET",    "/servers/{id}",                     kUser,   on_server<kView, page::show_server>},
    {"GET",    "/servers/{id}/status",              kUser,   on_server<kView, page::server_status>},
    {"GET",    "/servers/{id}/jobs",                kUser,   on_server<kView, page::server_jobs>},
    {"GET",    "/servers/{id}/rcon-password",       kUser,   on_server<kRconPassword, page::show_rcon_password>},
    {"POST",   "/servers/{id}/start",               kUser,   on_server<kStart, page::start_server>},
    {"POST",   "/servers/{id}/stop",                kUser,   on_server<kStop, page::stop_server>},
    {"POST",   "/servers/{id}/restart",             kUser,   on_server<kRestart, page::restart_server>},
    {"GET",    "/servers/{id}/delete",              kUser,   on_server<kDelete, page::confirm_delete_server>},
    {"POST",   "/servers/{id}/delete",              kUser,   on_server<kDelete, page::delete_server>},
    {"POST",   "/servers/{id}/blueprint",           kUser,   on_server<kChangeBlueprint, page::move_server>},
    {"GET",    "/servers/{id}/console",             kUser,   on_server<kConsoleRead, page::server_console>},
    {"POST",   "/servers/{id}/rcon",                kUser,   on_server<kRcon, page::console_command>},
    {"POST",   "/servers/{id}/shares",              kUser,   on_server<kShare, page::share_server>},
    {"POST",   "/servers/{id}/shares/{user}/revoke", kUser,  on_server<kShare, page::unshare_server>},
    {"POST",   "/servers/{id}/restart-schedule",    kUser,   on_server<kSchedule, page::set_restart_schedule>},
    {"GET",    "/blueprints",                       kUser,   on<page::blueprints>},
    {"GET",    "/blueprints/new",                   kUser,   on<page::new_blueprint>},  // before /blueprints/{id}
    {"POST",   "/blueprints",                       kUser,   on<page::create_blueprint>},
    {"GET",    "/blueprints/{id}",                  kUser,   on<page::show_blueprint>},
    {"POST",   "/blueprints/{id}",                  kUser,   on<page::save_blueprint>},
    {"POST",   "/blueprints/{id}/delete",           kUser,   on<page::delete_blueprint>},
    {"GET",    "/overlays",                         kUser,   on<page::overlays>},
    {"POST",   "/overlays",                         kUser,   on<page::create_overlay>},
    {"GET",    "/overlays/{id}",                    kUser,   on<page::show_overlay>},
    {"POST",   "/overlays/{id}",                    kUser,   on<page::rename_overlay>},
    {"POST",   "/overlays/{id}/delete",             kUser,   on<page::delete_overlay>},
    {"POST",   "/overlays/{id}/managed",            kAdmin,  on<page::set_managed_source>},
    {"POST",   "/overlays/{id}/managed/refresh",    kAdmin,  on<page::refresh_managed>},
    {"GET",    "/overlays/{id}/workshop",           kUser,   on<page::workshop_items>},
    {"POST",   "/overlays/{id}/workshop",           kUser,   on<page::save_workshop>},
    {"POST",   "/overlays/{id}/workshop/refresh",   kUser,   on<page::refresh_workshop>},
    {"POST",   "/overlays/{id}/script",             kUser,   on<page::save_overlay_script>},
    {"POST",   "/overlays/{id}/script/build",       kUser,   on<page::build_overlay>},
    {"GET",    "/jobs",                             kUser,   on<page::jobs>},
    {"GET",    "/jobs/rows",                        kUser,   on<page::job_rows>},  // before /jobs/{id}
    {"GET",    "/jobs/{id}",                        kUser,   on<page::show_job>},
    {"GET",    "/jobs/{id}/summary",                kUser,   on<page::job_summary>},
    {"GET",    "/jobs/{id}/stream",                 kUser,   on<page::job_stream>},
    {"POST",   "/jobs/{id}/cancel",                 kUser,   on<page::cancel_job>},
    {"GET",    "/overlays/{id}/edit",               kUser,   on<page::edit_overlay_file>},
    {"POST",   "/overlays/{id}/edit",               kUser,   on<page::save_overlay_file>},
    {"GET",    "/admin",                            kAdmin,  on<page::admin>},
    {"POST",   "/admin/users",                      kAdmin,  on<page::create_user>},
    {"POST",   "/admin/users/{id}/disabled",        kAdmin,  on<page::set_user_disabled>},
    {"POST",   "/admin/users/{id}/password",        kAdmin,  on<page::reset_password>},
    {"POST",   "/admin/users/{id}/limits",          kAdmin,  on<page::set_user_limits>},
    {"POST",   "/admin/users/{id}/role",            kAdmin,  on<page::set_user_role>},
    {"POST",   "/admin/users/{id}/two-factor/reset", kAdmin, on<page::reset_two_factor>},
    {"POST",   "/admin/settings/two-factor",        kAdmin,  on<page::set_admin_two_factor>},
    {"GET",    "/admin/audit",                      kAdmin,  on<page::audit_log>},
    {"GET",    "/admin/users/{id}/delete",          kAdmin,  on<page::confirm_delete_user>},
    {"POST",   "/admin/users/{id}/delete",          kAdmin,  on<page::delete_user>},
    {"POST",   "/admin/adopt",                      kAdmin,  on<page::adopt>},
    {"POST",   "/admin/install",                    kAdmin,  on<page::queue_install>},
    {"GET",    "/admin/install/progress",           kAdmin,  on<page::install_progress>},
    {"GET",    "/admin/builds",                     kAdmin,  on<page::game_builds>},
    {"POST",   "/admin/builds/check",               kAdmin,  on<page::check_for_update>},
    {"POST",   "/admin/builds/use",                 kAdmin,  on<page::use_build>},
    {"POST",   "/admin/builds/remove",              kAdmin,  on<page::remove_build>},
    {"POST",   "/admin/builds/switch",              kAdmin,  on<page::switch_all_servers>},
    {"POST",   "/admin/builds/switch/{id}",         kAdmin,  on_server<kSwitchBuild, page::switch_server>},
    {"GET",    "/admin/webhooks",                   kAdmin,  on<page::webhooks>},
    {"POST",   "/admin/webhooks",                   kAdmin,  on<page::create_webhook>},
    {"POST",   "/admin/webhooks/{id}",              kAdmin,  on<page::save_webhook>},
    {"POST",   "/admin/webhooks/{id}/delete",       kAdmin,  on<page::delete_webhook>},
    {"POST",   "/admin/webhooks/{id}/test",         kAdmin,  on<page::test_webhook>},
};
// clang-format on

}  // namespace

std::span<const Route> routes() { return kRoutes; }

}  // namespace left4me::web
