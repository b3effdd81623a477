// The admin's audit log page: the changes audit.h records, newest first, 50 to a page (?page=N, from 0).
#include <fmt/format.h>

#include <charconv>

#include "web/handlers.h"
#include "web/pages.h"
#include "web/responses.h"

namespace left4me::web::page {
namespace {

constexpr int kPerPage = 50;

// ?page= as a page number; 0 when absent, nullopt when it is not a number in 0..1000000.
std::optional<std::int64_t> page_number(const Request& request) {
  std::optional<std::string> text = request.query_param("page");
  if (!text) return 0;
  std::int64_t page = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), page);
  if (error != std::errc() || end != text->data() + text->size() || page < 0 || page > 1'000'000) return std::nullopt;
  return page;
}

}  // namespace

Response audit_log(App& app, Context& context) {
  std::optional<std::int64_t> page = page_number(context.request);
  if (!page) return error_response(422, "invalid", "page must be a whole number from 0");
  Result<AuditPage> entries = app.audit->list(*page, kPerPage);
  if (!entries) return error_from(entries.error());
  nlohmann::json view = base_view(context, "Audit log", "admin");
  nlohmann::json rows = nlohmann::json::array();
  for (const AuditEntry& entry : entries->entries) {
    rows.push_back({{"at", time_view(entry.at)},
                    {"actor", entry.actor.name},
                    {"actor_gone", !entry.actor.id},
                    {"action", entry.action},
                    {"target", entry.target},
                    {"detail", entry.detail}});
  }
  view["entries"] = rows;
  view["has_entries"] = !rows.empty();
  if (*page > 0) view["newer"] = fmt::format("/admin/audit?page={}", *page - 1);
  if (entries->has_more) view["older"] = fmt::format("/admin/audit?page={}", *page + 1);
  return html_page(200, "audit", view);
}

}  // namespace left4me::web::page
