// Every route's handler, by the file that defines it; routes.cc puts them in the one route table. A handler that
// takes an object (a Server, Blueprint, Job, TokenId or UserId) runs once the route's {id} named one the viewer
// may see, and a server's handler once may() allowed its action (route.h, authorization.h). Handlers run on the HTTP
// threads; each is thread-safe as App is.
#pragma once

#include "web/app.h"
#include "web/route.h"

namespace left4me::web::api {

// api_accounts.cc: health, sessions, the setup link, passwords, API tokens and users.
Response health(App& app, Context& context);
Response get_login_csrf(App& app, Context& context);
Response log_in(App& app, Context& context);
Response log_in_code(App& app, Context& context);
Response get_session(App& app, Context& context);
Response log_out(App& app, Context& context);
Response set_up(App& app, Context& context);
Response change_password(App& app, Context& context);
Response list_tokens(App& app, Context& context);
Response create_token(App& app, Context& context);
Response revoke_token(App& app, Context& context, const TokenId& token);
Response list_users(App& app, Context& context);
Response create_user(App& app, Context& context);
Response update_user(App& app, Context& context, const UserId& user);
Response get_user(App& app, Context& context, const UserId& user);
Response delete_user(App& app, Context& context, const UserId& user);
Response reset_two_factor(App& app, Context& context, const UserId& user);

// api_blueprints.cc
Response list_blueprints(App& app, Context& context);
Response create_blueprint(App& app, Context& context);
Response get_blueprint(App& app, Context& context, const Blueprint& blueprint);
Response update_blueprint(App& app, Context& context, const Blueprint& blueprint);
Response delete_blueprint(App& app, Context& context, const Blueprint& blueprint);

// api_overlays.cc: the overlays a user may use; creating, renaming and deleting them (with their directories).
Response list_overlays(App& app, Context& context);
Response create_overlay(App& app, Context& context);
Response get_overlay(App& app, Context& context, const Overlay& overlay);
Response rename_overlay(App& app, Context& context, const Overlay& overlay);
Response delete_overlay(App& app, Context& context, const Overlay& overlay);

// api_servers.cc: servers, their actions and consoles, sharing them, and adopting host instances.
Response list_servers(App& app, Context& context);
Response create_server(App& app, Context& context);
Response list_adoptable(App& app, Context& context);
Response adopt_server(App& app, Context& context);
Response get_server(App& app, Context& context, const Server& server);
Response start_server(App& app, Context& context, const Server& server);
Response stop_server(App& app, Context& context, const Server& server);
Response restart_server(App& app, Context& context, const Server& server);
Response delete_server(App& app, Context& context, const Server& server);
Response move_server(App& app, Context& context, const Server& server);
Response follow_console(App& app, Context& context, const Server& server);
Response get_rcon_password(App& app, Context& context, const Server& server);
Response get_restart_schedule(App& app, Context& context, const Server& server);
Response set_restart_schedule(App& app, Context& context, const Server& server);
Response list_shares(App& app, Context& context, const Server& server);
Response share_server(App& app, Context& context, const Server& server);
Response unshare_server(App& app, Context& context, const Server& server);
// The server's history, newest first (owner and administrators only).
Response server_events(App& app, Context& context, const Server& server);

// rcon_routes.cc: the RCON console and its audit log (operators and up).
Response console_audit(App& app, Context& context, const Server& server);
Response console_command(App& app, Context& context, const Server& server);

// api_jobs.cc: jobs, their logs, and the game installation.
Response list_jobs(App& app, Context& context);
Response get_job(App& app, Context& context, const Job& job);
Response cancel_job(App& app, Context& context, const Job& job);
Response job_lines(App& app, Context& context, const Job& job);
Response follow_job_log(App& app, Context& context, const Job& job);
Response queue_install(App& app, Context& context);
Response latest_install(App& app, Context& context);
// api_hosts.cc: the hosts (administrators).
Response list_hosts(App& app, Context& context);
Response create_host(App& app, Context& context);
Response get_host(App& app, Context& context, const Host& host);
Response update_host(App& app, Context& context, const Host& host);
Response delete_host(App& app, Context& context, const Host& host);
Response confirm_host_key(App& app, Context& context, const Host& host);
Response rescan_host_key(App& app, Context& context, const Host& host);

// api_webhooks.cc: the outgoing webhooks (administrators).
Response list_webhooks(App& app, Context& context);
Response create_webhook(App& app, Context& context);
Response get_webhook(App& app, Context& context, const WebhookId& id);
Response update_webhook(App& app, Context& context, const WebhookId& id);
Response delete_webhook(App& app, Context& context, const WebhookId& id);
Response test_webhook(App& app, Context& context, const WebhookId& id);
Response managed_source(App& app, Context& context, const Overlay& overlay);
Response set_managed_source(App& app, Context& context, const Overlay& overlay);
Response set_managed_upload(App& app, Context& context, const Overlay& overlay);
Response refresh_managed(App& app, Context& context, const Overlay& overlay);
// api_overlay_files.cc: an overlay's files (browse, download, delete, the config editor) and uploads in chunks.
Response list_overlay_files(App& app, Context& context, const Overlay& overlay);
Response download_overlay_file(App& app, Context& context, const Overlay& overlay);
Response delete_overlay_file(App& app, Context& context, const Overlay& overlay);
Response get_overlay_text(App& app, Context& context, const Overlay& overlay);
Response put_overlay_text(App& app, Context& context, const Overlay& overlay);
Response start_overlay_upload(App& app, Context& context, const Overlay& overlay);
Response get_overlay_upload(App& app, Context& context, const Overlay& overlay);
Response put_overlay_upload_chunk(App& app, Context& context, const Overlay& overlay);
Response finish_overlay_upload(App& app, Context& context, const Overlay& overlay);
// api_workshop.cc: a Workshop overlay's list of ids, its items' states, and queuing its refresh.
Response get_workshop(App& app, Context& context, const Overlay& overlay);
Response put_workshop(App& app, Context& context, const Overlay& overlay);
Response refresh_workshop(App& app, Context& context, const Overlay& overlay);
// script_overlays_routes.cc: a script overlay's script (read by its users, saved by those who may change it) and
// its build, queued as a build_overlay job.
Response get_overlay_script(App& app, Context& context, const Overlay& overlay);
Response put_overlay_script(App& app, Context& context, const Overlay& overlay);
Response build_overlay(App& app, Context& context, const Overlay& overlay);
// GET /metrics (api_metrics.cc): the Prometheus exposition, for a metrics token or a loopback client.
Response metrics(App& app, Context& context);

}  // namespace left4me::web::api

namespace left4me::web::page {

// pages_common.cc
Response static_file(App& app, Context& context);
Response favicon(App& app, Context& context);

// pages_account.cc: logging in and out, the setup link, the user's password and API tokens.
Response login_form(App& app, Context& context);
Response log_in(App& app, Context& context);
Response log_out(App& app, Context& context);
Response setup_form(App& app, Context& context);
Response set_up(App& app, Context& context);
Response account(App& app, Context& context);
Response change_password(App& app, Context& context);
Response create_token(App& app, Context& context);
Response revoke_token(App& app, Context& context, const TokenId& token);

// pages_two_factor.cc: the second step of a sign-in, and setting up, turning off and renewing two-factor sign-in.
Response login_code_form(App& app, Context& context);
Response log_in_code(App& app, Context& context);
Response two_factor(App& app, Context& context);
Response begin_two_factor(App& app, Context& context);
Response confirm_two_factor(App& app, Context& context);
Response turn_off_two_factor(App& app, Context& context);
Response regenerate_recovery_codes(App& app, Context& context);

// pages_audit.cc: the audit log, newest first, in pages.
Response audit_log(App& app, Context& context);

// pages_servers.cc: the dashboard, the server page and its fragments, actions, moving, sharing, the daily
// restart and deleting.
Response dashboard(App& app, Context& context);
Response server_rows(App& app, Context& context);
Response new_server(App& app, Context& context);
Response create_server(App& app, Context& context);
Response show_server(App& app, Context& context, const Server& server);
Response server_status(App& app, Context& context, const Server& server);
Response server_jobs(App& app, Context& context, const Server& server);
Response show_rcon_password(App& app, Context& context, const Server& server);
Response start_server(App& app, Context& context, const Server& server);
Response stop_server(App& app, Context& context, const Server& server);
Response restart_server(App& app, Context& context, const Server& server);
Response confirm_delete_server(App& app, Context& context, const Server& server);
Response delete_server(App& app, Context& context, const Server& server);
Response move_server(App& app, Context& context, const Server& server);
Response set_restart_schedule(App& app, Context& context, const Server& server);
Response server_console(App& app, Context& context, const Server& server);
Response share_server(App& app, Context& context, const Server& server);
Response unshare_server(App& app, Context& context, const Server& server);

// rcon_routes.cc: a command from the server page's RCON console (operators and up).
Response console_command(App& app, Context& context, const Server& server);

// pages_blueprints.cc: the list and the one form for creating and editing.
Response blueprints(App& app, Context& context);
Response new_blueprint(App& app, Context& context);
Response create_blueprint(App& app, Context& context);
Response show_blueprint(App& app, Context& context, const Blueprint& blueprint);
Response save_blueprint(App& app, Context& context, const Blueprint& blueprint);
Response delete_blueprint(App& app, Context& context, const Blueprint& blueprint);

// pages_overlays.cc: the overlays list with the create form, and the overlay page with rename and delete.
Response overlays(App& app, Context& context);
Response create_overlay(App& app, Context& context);
Response show_overlay(App& app, Context& context, const Overlay& overlay);
Response rename_overlay(App& app, Context& context, const Overlay& overlay);
Response delete_overlay(App& app, Context& context, const Overlay& overlay);

// pages_jobs.cc
Response jobs(App& app, Context& context);
Response job_rows(App& app, Context& context);
Response show_job(App& app, Context& context, const Job& job);
Response job_summary(App& app, Context& context, const Job& job);
Response job_stream(App& app, Context& context, const Job& job);
Response cancel_job(App& app, Context& context, const Job& job);

// pages_admin.cc: users, the game installation and adopting host instances.
Response admin(App& app, Context& context);
Response create_user(App& app, Context& context);
Response set_user_disabled(App& app, Context& context, const UserId& user);
Response reset_password(App& app, Context& context, const UserId& user);
Response set_user_limits(App& app, Context& context, const UserId& user);
Response set_user_role(App& app, Context& context, const UserId& user);
Response reset_two_factor(App& app, Context& context, const UserId& user);
Response set_admin_two_factor(App& app, Context& context);
Response confirm_delete_user(App& app, Context& context, const UserId& user);
Response delete_user(App& app, Context& context, const UserId& user);
Response adopt(App& app, Context& context);
Response queue_install(App& app, Context& context);
Response install_progress(App& app, Context& context);

// pages_builds.cc: the game builds, the update check, rollback and removal, switching servers when empty.
Response game_builds(App& app, Context& context);
Response check_for_update(App& app, Context& context);
Response use_build(App& app, Context& context);
Response remove_build(App& app, Context& context);
Response switch_all_servers(App& app, Context& context);
Response switch_server(App& app, Context& context, const Server& server);

// pages_webhooks.cc: the Webhooks page (administrators).
Response webhooks(App& app, Context& context);
Response create_webhook(App& app, Context& context);
Response save_webhook(App& app, Context& context, const WebhookId& id);
Response delete_webhook(App& app, Context& context, const WebhookId& id);
Response test_webhook(App& app, Context& context, const WebhookId& id);

// pages_managed_overlays.cc: a managed global overlay's source and refresh (administrators).
Response set_managed_source(App& app, Context& context, const Overlay& overlay);
Response refresh_managed(App& app, Context& context, const Overlay& overlay);
// pages_overlay_files.cc: the config editor of an overlay's files (the file section is overlay_files_view).
Response edit_overlay_file(App& app, Context& context, const Overlay& overlay);
Response save_overlay_file(App& app, Context& context, const Overlay& overlay);
// api_workshop.cc: the overlay page's Workshop section (workshop overlays): the list editor, the items with their
// state and download progress (polled while a refresh is pending), the refresh button.
// The section's HTML for the overlay page (/overlays/{id}) to put in its place for workshop overlays.
Result<std::string> render_workshop_section(App& app, Context& context, const Overlay& overlay);
Response workshop_items(App& app, Context& context, const Overlay& overlay);
Response save_workshop(App& app, Context& context, const Overlay& overlay);
Response refresh_workshop(App& app, Context& context, const Overlay& overlay);
// script_overlays_routes.cc: the overlay page's Script section (the editor, the last build, the Build button).
// The section's data for the overlay page to put in its place for script overlays.
nlohmann::json script_section_view(App& app, Context& context, const Overlay& overlay);
Response save_overlay_script(App& app, Context& context, const Overlay& overlay);
Response build_overlay(App& app, Context& context, const Overlay& overlay);

}  // namespace left4me::web::page
