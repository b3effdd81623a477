#include "content/steam_web_api.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "base/utf8.h"
#include "json/parse_json.h"

namespace left4me::content {

// What GetCollectionDetails said: each collection's children in sort order ({id, is a collection}).
struct CollectionGraph {
  std::map<std::string, std::vector<std::pair<std::string, bool>>> children;
  std::set<std::string> asked;  // every id asked about
};

namespace {

using nlohmann::json;

// Steam's replies are under "deliberately lax" typing: numbers come as numbers or decimal strings
// (file_size is a string today, a number in older replies), booleans as 0/1 or true/false.
std::optional<std::int64_t> flexible_integer(const json& value) {
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number_unsigned()) {
    auto number = value.get<std::uint64_t>();
    if (number > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(number);
  }
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (text.empty() || text.size() > 18) return std::nullopt;
    std::int64_t number = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return std::nullopt;
      number = number * 10 + (c - '0');
    }
    return number;
  }
  if (value.is_boolean()) return value.get<bool>() ? 1 : 0;
  return std::nullopt;
}

std::optional<std::string> id_text(const json& value) {
  if (value.is_string() && is_workshop_id(value.get_ref<const std::string&>())) return value.get<std::string>();
  if (value.is_number_unsigned()) return std::to_string(value.get<std::uint64_t>());
  return std::nullopt;
}

// The field, when present with a usable value; an error naming it otherwise.
Result<std::int64_t> integer_field(const json& entry, const char* name) {
  auto found = entry.find(name);
  if (found == entry.end()) return Error::invalid(std::string("steam's reply has no ") + name);
  auto number = flexible_integer(*found);
  if (!number) return Error::invalid(std::string("steam's reply has a ") + name + " that is not a whole number");
  return *number;
}

Result<std::string> string_field(const json& entry, const char* name, bool required) {
  auto found = entry.find(name);
  if (found == entry.end() || found->is_null()) {
    if (required) return Error::invalid(std::string("steam's reply has no ") + name);
    return std::string();
  }
  if (!found->is_string()) return Error::invalid(std::string("steam's reply has a ") + name + " that is not text");
  return found->get<std::string>();
}

std::string basename_of(std::string_view path) {
  size_t slash = path.find_last_of("/\\");
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

bool ends_with_vpk(std::string_view name) {
  if (name.size() < 5) return false;
  std::string tail(name.substr(name.size() - 4));
  std::transform(tail.begin(), tail.end(), tail.begin(), [](unsigned char c) { return std::tolower(c); });
  return tail == ".vpk";
}

// text cut to at most max_bytes without splitting a UTF-8 sequence, and made valid UTF-8.
std::string shortened(std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) {
    size_t end = max_bytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    text = text.substr(0, end);
  }
  return make_valid_utf8(text);
}

// The result code of an entry: 1 usable; anything else says why not.
Status check_result(std::int64_t result) {
  if (result == 1) return ok_status();
  if (result == 9) return Error::not_found("removed from the Workshop, or never existed (result 9)");
  if (result == 15) return Error(ErrorCode::kPermissionDenied, "private (result 15: access denied)");
  return Error::failed("steam answered with result " + std::to_string(result));
}

Status check_visibility(const json& entry) {
  if (auto visibility = entry.find("visibility"); visibility != entry.end()) {
    auto value = flexible_integer(*visibility);
    if (value && (*value == 1 || *value == 2)) {
      return Error(ErrorCode::kPermissionDenied, std::string(*value == 1 ? "friends-only" : "private") +
                                                     " (visibility " + std::to_string(*value) + ")");
    }
  }
  if (auto banned = entry.find("banned"); banned != entry.end()) {
    auto value = flexible_integer(*banned);
    if (value && *value != 0) return Error(ErrorCode::kPermissionDenied, "banned by Steam");
  }
  return ok_status();
}

Status fill_fields(const json& entry, const SteamApiOptions& options, PublishedFile& file) {
  auto app = integer_field(entry, "consumer_app_id");
  if (!app.ok()) return app.error();
  if (*app != kL4d2AppId) {
    return Error::invalid("an item of app " + std::to_string(*app) + ", not of Left 4 Dead 2 (550)");
  }
  auto size = integer_field(entry, "file_size");
  if (!size.ok()) return size.error();
  if (*size <= 0) return Error::invalid("steam gives no file size (file_size " + std::to_string(*size) + ")");
  if (static_cast<std::uint64_t>(*size) > options.max_file_bytes) {
    return Error(ErrorCode::kLimitReached, "file of " + std::to_string(*size) + " bytes, over the limit of " +
                                               std::to_string(options.max_file_bytes));
  }
  auto updated = integer_field(entry, "time_updated");
  if (!updated.ok()) return updated.error();
  auto filename = string_field(entry, "filename", true);
  if (!filename.ok()) return filename.error();
  auto url = string_field(entry, "file_url", false);
  if (!url.ok()) return url.error();
  auto title = string_field(entry, "title", false);
  if (!title.ok()) return title.error();
  file.file_size = static_cast<std::uint64_t>(*size);
  file.time_updated = *updated;
  file.filename = basename_of(*filename);
  file.file_url = *url;
  file.title = shortened(*title, 256);
  if (!ends_with_vpk(file.filename)) return Error::invalid("not a VPK (its file is '" + file.filename + "')");
  return ok_status();
}

// The array at response.<name> of a reply, or why there is none.
Result<json> reply_array(std::string_view body, const char* method, const char* name) {
  auto parsed = parse_json_limited(body, 8);
  if (!parsed.ok()) return parsed.error().with_context(std::string(method) + ": steam's reply");
  const json& reply = *parsed;
  if (!reply.is_object() || !reply.contains("response") || !reply["response"].is_object()) {
    return Error::invalid(std::string(method) + ": steam's reply has no response object");
  }
  const json& response = reply["response"];
  auto list = response.find(name);
  if (list == response.end() || !list->is_array()) {
    return Error::invalid(std::string(method) + ": steam's reply has no response." + name + " list");
  }
  return *list;
}

}  // namespace

bool is_workshop_id(std::string_view text) {
  if (text.empty() || text.size() > 20) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<std::string> parse_workshop_reference(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (is_workshop_id(text)) return std::string(text);
  auto refused = [&] {
    return Error::invalid("'" + shortened(text, 200) +
                          "' is neither a Workshop id nor a steamcommunity.com/sharedfiles/filedetails/?id= link");
  };
  std::string_view rest = text;
  for (std::string_view scheme : {"https://", "http://"}) {
    if (rest.substr(0, scheme.size()) == scheme) rest.remove_prefix(scheme.size());
  }
  if (rest.substr(0, 4) == "www.") rest.remove_prefix(4);
  bool known_page = false;
  for (std::string_view page :
       {"steamcommunity.com/sharedfiles/filedetails/", "steamcommunity.com/workshop/filedetails/"}) {
    if (rest.substr(0, page.size()) == page) {
      rest.remove_prefix(page.size());
      known_page = true;
    }
  }
  if (!known_page || rest.empty() || rest.front() != '?') return refused();
  rest.remove_prefix(1);
  size_t fragment = rest.find('#');
  if (fragment != std::string_view::npos) rest = rest.substr(0, fragment);
  while (!rest.empty()) {
    size_t end = rest.find('&');
    std::string_view pair = rest.substr(0, end);
    if (pair.substr(0, 3) == "id=" && is_workshop_id(pair.substr(3))) return std::string(pair.substr(3));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return refused();
}

PublishedFile check_published_file(const json& entry, const SteamApiOptions& options) {
  PublishedFile file;
  if (!entry.is_object()) {
    file.status = Error::invalid("steam's reply has an entry that is not an object");
    return file;
  }
  if (auto id = entry.find("publishedfileid"); id != entry.end()) file.id = id_text(*id).value_or("");
  auto result = integer_field(entry, "result");
  if (!result.ok()) {
    file.status = result.error();
    return file;
  }
  file.status = check_result(*result);
  if (file.status.ok()) file.status = check_visibility(entry);
  if (file.status.ok()) file.status = fill_fields(entry, options, file);
  return file;
}

std::string SteamWebApi::url(std::string_view method) const {
  std::string base = options_.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/ISteamRemoteStorage/" + std::string(method) + "/v1/";
}

Result<std::string> SteamWebApi::post(std::string_view method, std::string_view count_field,
                                      const std::vector<std::string>& ids) {
  FormFields fields;
  fields.emplace_back(std::string(count_field), std::to_string(ids.size()));
  for (size_t i = 0; i < ids.size(); ++i) {
    fields.emplace_back("publishedfileids[" + std::to_string(i) + "]", ids[i]);
  }
  ++requests_;
  return http_post_form(url(method), fields, options_.max_reply_bytes, options_.http);
}

std::vector<PublishedFile> parse_details_reply(std::string_view body, const std::vector<std::string>& ids,
                                               const SteamApiOptions& options) {
  std::vector<PublishedFile> out;
  auto list = reply_array(body, "GetPublishedFileDetails", "publishedfiledetails");
  if (!list.ok()) {
    for (const auto& id : ids) out.push_back(PublishedFile{.id = id, .status = list.error()});
    return out;
  }
  std::map<std::string, PublishedFile> answered;
  for (const json& entry : *list) {
    PublishedFile file = check_published_file(entry, options);
    if (!file.id.empty()) answered.emplace(file.id, std::move(file));
  }
  for (const auto& id : ids) {
    auto found = answered.find(id);
    if (found != answered.end()) {
      out.push_back(std::move(found->second));
    } else {
      out.push_back(PublishedFile{.id = id, .status = Error::failed("steam's reply does not mention this item")});
    }
  }
  return out;
}

void SteamWebApi::details_batch(const std::vector<std::string>& ids, std::vector<PublishedFile>& out) {
  auto body = post("GetPublishedFileDetails", "itemcount", ids);
  if (!body.ok()) {
    for (const auto& id : ids) out.push_back(PublishedFile{.id = id, .status = body.error()});
    return;
  }
  for (auto& file : parse_details_reply(*body, ids, options_)) out.push_back(std::move(file));
}

std::vector<PublishedFile> SteamWebApi::details(const std::vector<std::string>& ids) {
  std::vector<std::string> unique;
  std::set<std::string> seen;
  for (const auto& id : ids) {
    if (seen.insert(id).second) unique.push_back(id);
  }
  std::vector<PublishedFile> found;
  std::vector<std::string> batch;
  for (const auto& id : unique) {
    if (!is_workshop_id(id)) {
      found.push_back(PublishedFile{.id = id, .status = Error::invalid("not a Workshop id (1 to 20 digits)")});
      continue;
    }
    batch.push_back(id);
    if (batch.size() == std::max<size_t>(options_.batch_size, 1)) {
      details_batch(batch, found);
      batch.clear();
    }
  }
  if (!batch.empty()) details_batch(batch, found);
  std::map<std::string, PublishedFile> by_id;
  for (auto& file : found) by_id.emplace(file.id, std::move(file));
  std::vector<PublishedFile> out;
  for (const auto& id : unique) out.push_back(std::move(by_id[id]));
  return out;
}

Status SteamWebApi::fetch_collections(const std::vector<std::string>& ids, CollectionGraph& graph) {
  for (size_t start = 0; start < ids.size(); start += std::max<size_t>(options_.batch_size, 1)) {
    std::vector<std::string> batch(
        ids.begin() + static_cast<std::ptrdiff_t>(start),
        ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), start + options_.batch_size)));
    auto body = post("GetCollectionDetails", "collectioncount", batch);
    if (!body.ok()) return body.error();
    auto list = reply_array(*body, "GetCollectionDetails", "collectiondetails");
    if (!list.ok()) return list.error();
    for (const json& entry : *list) {
      // An entry with children is a collection; anything else (result 9, no children) is an item.
      if (!entry.is_object() || !entry.contains("children") || !entry["children"].is_array()) continue;
      auto id = entry.contains("publishedfileid") ? id_text(entry["publishedfileid"]) : std::nullopt;
      auto result = entry.contains("result") ? flexible_integer(entry["result"]) : std::nullopt;
      if (!id || result != 1 || std::find(batch.begin(), batch.end(), *id) == batch.end()) continue;
      std::vector<std::tuple<std::int64_t, std::string, bool>> children;
      for (const json& child : entry["children"]) {
        if (!child.is_object() || !child.contains("publishedfileid")) continue;
        auto child_id = id_text(child["publishedfileid"]);
        if (!child_id) continue;
        auto order = child.contains("sortorder") ? flexible_integer(child["sortorder"]) : std::nullopt;
        auto type = child.contains("filetype") ? flexible_integer(child["filetype"]) : std::nullopt;
        children.emplace_back(order.value_or(0), *child_id, type == 2);
      }
      std::stable_sort(children.begin(), children.end(),
                       [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
      auto& list_out = graph.children[*id];
      for (auto& [order, child_id, nested] : children) list_out.emplace_back(std::move(child_id), nested);
    }
  }
  return ok_status();
}

namespace {

// Lists the items below id in sort order, each collection once (which also cuts cycles).
void flatten(const std::string& id, const CollectionGraph& graph, std::set<std::string>& seen_items,
             std::set<std::string>& seen_collections, CollectionResolution& out, std::size_t max_items) {
  auto children = graph.children.find(id);
  if (children == graph.children.end()) {
    if (!seen_items.insert(id).second) return;
    if (out.items.size() >= max_items) {
      if (!out.truncated) {
        out.problems.push_back(Error(ErrorCode::kLimitReached, "more than " + std::to_string(max_items) +
                                                                   " items in all; the rest are left out"));
      }
      out.truncated = true;
      return;
    }
    out.items.push_back(id);
    return;
  }
  if (!seen_collections.insert(id).second) return;
  out.collections.push_back(id);
  for (const auto& [child, nested] : children->second) {
    (void)nested;
    flatten(child, graph, seen_items, seen_collections, out, max_items);
  }
}

}  // namespace

Result<CollectionResolution> SteamWebApi::resolve(const std::vector<std::string>& ids) {
  CollectionGraph graph;
  std::vector<std::string> frontier;
  for (const auto& id : ids) {
    if (!is_workshop_id(id))
      return Error::invalid("'" + make_valid_utf8(id) + "' is not a Workshop id (1 to 20 digits)");
    if (graph.asked.insert(id).second) frontier.push_back(id);
  }
  CollectionResolution out;
  for (int depth = 0; !frontier.empty(); ++depth) {
    if (depth > options_.max_depth) {
      out.problems.push_back(Error(ErrorCode::kLimitReached, "collections nested deeper than " +
                                                                 std::to_string(options_.max_depth) +
                                                                 " levels; the deeper ones are left out"));
      for (const auto& id : frontier) graph.children[id];  // known collections, expanded to nothing
      break;
    }
    if (auto fetched = fetch_collections(frontier, graph); !fetched.ok()) return fetched.error();
    std::vector<std::string> next;
    for (const auto& id : frontier) {
      auto children = graph.children.find(id);
      if (children == graph.children.end()) continue;
      for (const auto& [child, nested] : children->second) {
        if (nested && graph.asked.insert(child).second) next.push_back(child);
      }
    }
    frontier = std::move(next);
  }
  std::set<std::string> seen_items;
  std::set<std::string> seen_collections;
  for (const auto& id : ids) flatten(id, graph, seen_items, seen_collections, out, options_.max_items);
  return out;
}

}  // namespace left4me::content
