#include "web/route.h"

#include <fmt/format.h>

#include "base/strings.h"
#include "web/app.h"

namespace left4me::web {
namespace {

// The route's {id} as a positive number; kNotFound naming the noun otherwise.
Result<std::int64_t> id_of(const Context& context, std::string_view noun) {
  std::optional<std::int64_t> id = context.id_param(0);
  if (!id) return Error::not_found(fmt::format("{} not found", noun));
  return *id;
}

}  // namespace

std::optional<std::int64_t> Context::id_param(std::size_t index) const {
  if (index >= params.size()) return std::nullopt;
  std::optional<long long> id = parse_int(params[index], 1, INT64_MAX);
  if (!id) return std::nullopt;
  return *id;
}

Result<Server> open_id(App& app, const Context& context, std::type_identity<Server>) {
  Result<std::int64_t> id = id_of(context, "server");
  if (!id) return id.error();
  return app.servers->get(*id, context.scope());
}

Result<Blueprint> open_id(App& app, const Context& context, std::type_identity<Blueprint>) {
  Result<std::int64_t> id = id_of(context, "blueprint");
  if (!id) return id.error();
  return app.blueprints->get(*id, context.scope());
}

Result<Overlay> open_id(App& app, const Context& context, std::type_identity<Overlay>) {
  Result<std::int64_t> id = id_of(context, "overlay");
  if (!id) return id.error();
  return app.overlays->get(*id, context.scope());
}

Result<Host> open_id(App& app, const Context& context, std::type_identity<Host>) {
  Result<std::int64_t> id = id_of(context, "host");
  if (!id) return id.error();
  return app.hosts->get(*id);
}

Result<Job> open_id(App& app, const Context& context, std::type_identity<Job>) {
  Result<std::int64_t> id = id_of(context, "job");
  if (!id) return id.error();
  return app.jobs->get(*id, context.scope());
}

Result<TokenId> open_id(App&, const Context& context, std::type_identity<TokenId>) {
  Result<std::int64_t> id = id_of(context, "token");
  if (!id) return id.error();
  return TokenId{*id};
}

Result<UserId> open_id(App&, const Context& context, std::type_identity<UserId>) {
  Result<std::int64_t> id = id_of(context, "user");
  if (!id) return id.error();
  return UserId{*id};
}

Result<WebhookId> open_id(App&, const Context& context, std::type_identity<WebhookId>) {
  Result<std::int64_t> id = id_of(context, "webhook");
  if (!id) return id.error();
  return WebhookId{*id};
}

}  // namespace left4me::web
