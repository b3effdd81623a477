// What the page route modules (pages_*.cc) share: the view every page starts from, form access, HTMX
// detection, time and size formatting, error pages, and the HTML-escaping live-log stream.
// Pure functions or thread-safe objects.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "web/app.h"
#include "web/page_render.h"
#include "web/responses.h"

namespace left4me::web {

// An application/x-www-form-urlencoded body with repeated names kept in order.
class Form {
 public:
  explicit Form(const Request& request);
  // The first value of name, or "".
  std::string get(std::string_view name) const;
  bool has(std::string_view name) const;
  std::vector<std::string> all(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

// The object a page route's {id} names, looked up in `store` (Servers, Blueprints, Jobs) within the viewer's
// scope. nullopt, with *failure set to the answer, for an id that is not a number or names nothing the
// viewer may see (404 either way: another user's object does not leak its existence).
template <typename T, typename Store>
std::optional<T> find_in_scope(Store& store, Context& context, std::string_view noun, Response* failure) {
  std::optional<std::int64_t> id = context.id_param(0);
  if (!id) {
    *failure = error_response(404, "not_found", std::string(noun) + " not found");
    return std::nullopt;
  }
  Result<T> found = store.get(*id, context.scope());
  if (!found) {
    *failure = error_from(found.error());
    return std::nullopt;
  }
  return std::move(*found);
}

// The view every page starts from: title, the user and nav (when logged in), the CSRF token, the static
// file URLs, and the notice named by ?notice= (a fixed message; never text from the URL).
nlohmann::json base_view(const Context& context, std::string_view title, std::string_view nav);
// The view for pages shown to nobody in particular (login, setup, errors before login).
nlohmann::json anonymous_view(std::string_view title);

// The request came from HTMX (it swaps the answer into the page).
bool is_htmx(const Request& request);
// "2026-01-02 13:04:05 UTC"; "" for 0.
std::string format_time(std::int64_t unix_seconds);
// "1.5 GiB", "512 B".
std::string format_bytes(double bytes);
// The host name the browser used to reach us (for host:port), without the port.
std::string request_host(const Request& request);

// A friendly error page for status (404, 403, 409, 500, ...) with what went wrong and what to do.
Response error_page(const Request& request, int status, std::string_view title, std::string_view message);
// The App::page_errors hook: an API-style JSON error for a page route becomes an HTML page (HTMX requests
// keep the JSON, which app.js shows).
Response page_error_hook(const Request& request, Response response);
// The message of an API-style JSON error body, or "".
std::string error_message_of(const Response& response);

// Wraps a server-sent-event sink so each `data:` line becomes an escaped HTML line
// (<div class="line">...</div>) that HTMX's SSE extension can append safely.
std::shared_ptr<EventSink> escaped_log_sink(std::shared_ptr<EventSink> sink);

// The live state of a server for pages: state, map, players, actions allowed, pending job.
struct ServerPending {
  std::string type;   // start, stop, restart, delete
  std::string state;  // queued, running
};
nlohmann::json server_view(const Server& server, const StatusMap* statuses, const ServerPending* pending,
                           const std::string& host);
// Pending (queued or running) jobs by server id, newest first wins.
std::map<std::int64_t, ServerPending> pending_jobs(App& app, const Scope& scope);
nlohmann::json job_view(const Job& job);

void register_account_pages(App& app);
void register_server_pages(App& app);
void register_blueprint_pages(App& app);
void register_job_pages(App& app);
void register_admin_pages(App& app);

}  // namespace left4me::web
