#include "web/workshop_lists.h"

#include <fmt/format.h>

#include <set>

#include "content/steam_web_api.h"
#include "web/overlays.h"

namespace left4me::web {
namespace {

bool is_separator(char c) { return c == '\n' || c == '\r' || c == ' ' || c == '\t' || c == ','; }

std::vector<std::string> split_entries(std::string_view text) {
  std::vector<std::string> entries;
  std::size_t at = 0;
  while (at < text.size()) {
    while (at < text.size() && is_separator(text[at])) ++at;
    std::size_t end = at;
    while (end < text.size() && !is_separator(text[end])) ++end;
    if (end > at) entries.emplace_back(text.substr(at, end - at));
    at = end;
  }
  return entries;
}

WorkshopItem read_item(const Statement& statement) {
  WorkshopItem item;
  item.id = statement.column_text(0);
  item.title = statement.column_text(1);
  item.file_size = statement.column_int(2);
  item.time_updated = statement.column_int(3);
  // A state this binary does not know reads as failed, with the stored text as its reason.
  std::string state = statement.column_text(4);
  item.state = parse_workshop_item_state(state).value_or(WorkshopItemState::kFailed);
  item.error = statement.column_text(5);
  item.bytes_done = statement.column_int(6);
  item.checked_at = statement.column_int(7);
  return item;
}

Status read_entries(Database::Lock& lock, std::int64_t overlay_id, WorkshopList& list) {
  auto select = lock.prepare("SELECT steam_id FROM workshop_entries WHERE overlay_id = ? ORDER BY position");
  if (!select) return select.error();
  select->bind(1, overlay_id);
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) return ok_status();
    list.entries.push_back(select->column_text(0));
  }
}

Status read_items(Database::Lock& lock, std::int64_t overlay_id, WorkshopList& list) {
  auto select = lock.prepare(
      "SELECT item_id, title, file_size, time_updated, state, error, bytes_done, checked_at FROM workshop_items "
      "WHERE overlay_id = ? ORDER BY position");
  if (!select) return select.error();
  select->bind(1, overlay_id);
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) return ok_status();
    list.items.push_back(read_item(*select));
  }
}

}  // namespace

Result<std::vector<std::string>> parse_workshop_entries(const std::vector<std::string>& given) {
  if (given.size() > kMaxWorkshopEntries) {
    return Error::invalid(
        fmt::format("{} entries: a Workshop overlay holds at most {}", given.size(), kMaxWorkshopEntries));
  }
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < given.size(); ++i) {
    Result<std::string> id = content::parse_workshop_reference(given[i]);
    if (!id) return Error::invalid(fmt::format("entry {}: {}", i + 1, id.error().message()));
    if (seen.insert(*id).second) ids.push_back(std::move(*id));
  }
  return ids;
}

Result<std::vector<std::string>> parse_workshop_entries(std::string_view text) {
  return parse_workshop_entries(split_entries(text));
}

Result<WorkshopList> WorkshopLists::get(std::int64_t overlay_id) {
  Database::Lock lock(database_, LockMode::kRead);
  WorkshopList list;
  if (Status status = read_entries(lock, overlay_id, list); !status) return status.error();
  if (Status status = read_items(lock, overlay_id, list); !status) return status.error();
  auto select = lock.prepare("SELECT refreshed_at, error FROM workshop_refreshes WHERE overlay_id = ?");
  if (!select) return select.error();
  select->bind(1, overlay_id);
  Result<bool> row = select->step();
  if (!row) return row.error();
  if (*row) {
    list.refreshed_at = select->column_int(0);
    list.error = select->column_text(1);
  }
  return list;
}

Status WorkshopLists::set_entries(std::int64_t overlay_id, const std::vector<std::string>& ids) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  auto clear = lock.prepare("DELETE FROM workshop_entries WHERE overlay_id = ?");
  if (!clear) return clear.error();
  if (Status status = clear->bind(1, overlay_id).run(); !status) return status;
  auto insert = lock.prepare("INSERT INTO workshop_entries (overlay_id, position, steam_id) VALUES (?, ?, ?)");
  if (!insert) return insert.error();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    insert->reset();
    insert->bind(1, overlay_id).bind(2, static_cast<std::int64_t>(i)).bind(3, ids[i]);
    if (Status status = insert->run(); !status) return status;
  }
  return (*transaction)->commit();
}

Status WorkshopLists::set_items(std::int64_t overlay_id, const std::vector<WorkshopItem>& items) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  auto clear = lock.prepare("DELETE FROM workshop_items WHERE overlay_id = ?");
  if (!clear) return clear.error();
  if (Status status = clear->bind(1, overlay_id).run(); !status) return status;
  auto insert = lock.prepare(
      "INSERT INTO workshop_items (overlay_id, position, item_id, title, file_size, time_updated, state, error, "
      "bytes_done, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) return insert.error();
  for (std::size_t i = 0; i < items.size(); ++i) {
    const WorkshopItem& item = items[i];
    insert->reset();
    insert->bind(1, overlay_id).bind(2, static_cast<std::int64_t>(i)).bind(3, item.id).bind(4, item.title);
    insert->bind(5, item.file_size).bind(6, item.time_updated).bind(7, to_string(item.state)).bind(8, item.error);
    insert->bind(9, item.bytes_done).bind(10, item.checked_at);
    if (Status status = insert->run(); !status) return status;
  }
  return (*transaction)->commit();
}

Status WorkshopLists::set_item_state(std::int64_t overlay_id, const std::string& item_id, WorkshopItemState state,
                                     const std::string& error, std::int64_t bytes_done) {
  Database::Lock lock(database_);
  auto update = lock.prepare(
      "UPDATE workshop_items SET state = ?, error = ?, bytes_done = ? WHERE overlay_id = ? AND item_id = ?");
  if (!update) return update.error();
  update->bind(1, to_string(state)).bind(2, error).bind(3, bytes_done).bind(4, overlay_id).bind(5, item_id);
  return update->run();
}

Status WorkshopLists::finish_refresh(std::int64_t overlay_id, std::int64_t at, const std::string& error) {
  Database::Lock lock(database_);
  auto upsert = lock.prepare(
      "INSERT INTO workshop_refreshes (overlay_id, refreshed_at, error) VALUES (?, ?, ?) "
      "ON CONFLICT (overlay_id) DO UPDATE SET refreshed_at = excluded.refreshed_at, error = excluded.error");
  if (!upsert) return upsert.error();
  upsert->bind(1, overlay_id).bind(2, at).bind(3, error);
  return upsert->run();
}

Result<std::vector<std::int64_t>> WorkshopLists::workshop_overlays() {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare("SELECT id FROM overlays WHERE kind = ? ORDER BY id");
  if (!select) return select.error();
  select->bind(1, overlay_kind_name(OverlayKind::kWorkshop));
  std::vector<std::int64_t> ids;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) return ids;
    ids.push_back(select->column_int(0));
  }
}

}  // namespace left4me::web
