// Route: one row of the web app's route table (routes.cc): method, pattern, who may call it, and its handler.
// Also what a handler is given (Context) and the one opening of a route's {id}: a handler that takes the object
// (a Server, Blueprint, Job, or a token's or user's id) is called only once {id} named one the viewer may see;
// otherwise the answer is 404. A server's route names what it does to the server (a ServerAction), and runs only
// if may() allows it (authorization.h): else 404 to whom the server is hidden, 403 to a share whose role is too
// low. Immutable data and plain functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "web/accounts.h"
#include "web/authorization.h"
#include "web/blueprints.h"
#include "web/forwarded.h"
#include "web/http.h"
#include "web/jobs.h"
#include "web/overlays.h"
#include "web/responses.h"
#include "web/scope.h"
#include "web/servers.h"

namespace left4me::web {

class App;

struct AuthContext {
  User user;
  bool via_token = false;
  bool read_only = false;
  bool metrics_only = false;  // a token that may read /metrics and nothing else
  std::string csrf_token;     // sessions only
  std::string session_token;  // sessions only
};

struct Context {
  Request& request;
  std::vector<std::string> params;  // the {..} parts of the route pattern, in order
  std::optional<AuthContext> auth;
  ClientInfo client;  // who sent the request (through a trusted proxy: the client behind it)

  const User& user() const { return auth->user; }
  Scope scope() const { return Scope{auth->user.id, auth->user.is_admin}; }
  // params[index] as a positive id, or nullopt.
  std::optional<std::int64_t> id_param(std::size_t index) const;
};

// Who may call a route: anyone, a signed-in user (else 401, or the login page), an administrator (else 403).
enum class Access { kPublic, kUser, kAdmin };

// The ids of API tokens and users, as routes take them: the stores check what the viewer may do with them.
struct TokenId {
  std::int64_t value = 0;
};
struct UserId {
  std::int64_t value = 0;
};
// A webhook's id (administrators' routes only; the handler finds the webhook, or answers 404).
struct WebhookId {
  std::int64_t value = 0;
};

// What a route's {id} names.
enum class IdNames { kNothing, kServer, kBlueprint, kJob, kToken, kUser, kWebhook, kOverlay, kHost };

using Handler = Response (*)(App& app, Context& context);

struct RouteHandler {
  IdNames id = IdNames::kNothing;
  Handler call = nullptr;
  std::optional<ServerAction> action;  // a server's route: what it does to the server
};

struct Route {
  std::string_view method;   // GET, POST, PUT, PATCH, DELETE (HEAD is answered as GET)
  std::string_view pattern;  // "/api/v1/servers/{id}/start"
  Access access;
  RouteHandler handler;  // on<function>
};

// The object a route's {id} names, in the viewer's scope: kNotFound ("server not found", "server 7 not found")
// for an id that is not a positive number or names nothing the viewer may see, so another user's object does
// not leak its existence.
Result<Server> open_id(App& app, const Context& context, std::type_identity<Server>);
Result<Blueprint> open_id(App& app, const Context& context, std::type_identity<Blueprint>);
Result<Job> open_id(App& app, const Context& context, std::type_identity<Job>);
Result<TokenId> open_id(App& app, const Context& context, std::type_identity<TokenId>);
Result<UserId> open_id(App& app, const Context& context, std::type_identity<UserId>);
Result<WebhookId> open_id(App& app, const Context& context, std::type_identity<WebhookId>);
// An overlay the viewer may use (own or global; an administrator: any). Whether they may change it is the handler's
// to check (may_change_overlay: 403 for a global one and a user).
Result<Overlay> open_id(App& app, const Context& context, std::type_identity<Overlay>);
// A host (administrators' routes only).
Result<Host> open_id(App& app, const Context& context, std::type_identity<Host>);

namespace route_detail {

template <typename Object>
constexpr IdNames kIdNames = IdNames::kNothing;
template <>
inline constexpr IdNames kIdNames<Server> = IdNames::kServer;
template <>
inline constexpr IdNames kIdNames<Blueprint> = IdNames::kBlueprint;
template <>
inline constexpr IdNames kIdNames<Job> = IdNames::kJob;
template <>
inline constexpr IdNames kIdNames<TokenId> = IdNames::kToken;
template <>
inline constexpr IdNames kIdNames<UserId> = IdNames::kUser;
template <>
inline constexpr IdNames kIdNames<WebhookId> = IdNames::kWebhook;
template <>
inline constexpr IdNames kIdNames<Overlay> = IdNames::kOverlay;
template <>
inline constexpr IdNames kIdNames<Host> = IdNames::kHost;

// The object type a handler takes after App& and Context&.
template <typename Function>
struct ObjectOf;
template <>
struct ObjectOf<Response (*)(App&, Context&)> {
  using type = void;
};
template <typename Object>
struct ObjectOf<Response (*)(App&, Context&, const Object&)> {
  using type = Object;
};

template <typename Object, auto function>
Response call_with_object(App& app, Context& context) {
  Result<Object> object = open_id(app, context, std::type_identity<Object>{});
  if (!object) return error_from(object.error());
  return function(app, context, *object);
}

template <ServerAction action, auto function>
Response call_with_server(App& app, Context& context) {
  Result<Server> server = open_id(app, context, std::type_identity<Server>{});
  if (!server) return error_from(server.error());
  if (Status allowed = authorize(context.user(), action, *server); !allowed) return error_from(allowed.error());
  return function(app, context, *server);
}

template <auto function>
constexpr RouteHandler make_handler() {
  using Object = typename ObjectOf<decltype(function)>::type;
  if constexpr (std::is_void_v<Object>) {
    return RouteHandler{IdNames::kNothing, function, std::nullopt};
  } else {
    static_assert(!std::is_same_v<Object, Server>, "a server's route names its action: on_server<action, function>");
    static_assert(kIdNames<Object> != IdNames::kNothing,
                  "a route's {id} names a Server, Blueprint, Job, TokenId, UserId, WebhookId or Overlay");
    return RouteHandler{kIdNames<Object>, &call_with_object<Object, function>, std::nullopt};
  }
}

template <ServerAction action, auto function>
constexpr RouteHandler make_server_handler() {
  static_assert(std::is_same_v<typename ObjectOf<decltype(function)>::type, Server>,
                "on_server takes a function `Response f(App&, Context&, const Server&)`");
  return RouteHandler{IdNames::kServer, &call_with_server<action, function>, action};
}

}  // namespace route_detail

// A route's handler: a function `Response f(App&, Context&)`, or `Response f(App&, Context&, const T&)` for a
// route whose {id} names a T (opened by open_id before f runs).
template <auto function>
inline constexpr RouteHandler on = route_detail::make_handler<function>();
// A server's route: a function `Response f(App&, Context&, const Server&)`, called once {id} named a server the
// user may do the action to (may, authorization.h).
template <ServerAction action, auto function>
inline constexpr RouteHandler on_server = route_detail::make_server_handler<action, function>();

}  // namespace left4me::web
