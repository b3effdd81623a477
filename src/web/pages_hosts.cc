// The Hosts page (administrators, docs/design.md "Several hosts"): per host its address, whether its last poll
// answered and how fast, its current game build, its servers running out of those it may run, and the free disk of
// its data directory (HostFacts, read at most every 30 s); adding a host, confirming or scanning again its key,
// deleting it, through the same functions as the JSON API (host_actions.h); installing or updating the game on
// one host or all (one install job per host); and the panel's key for `left4me host-authorize`.
#include <fmt/format.h>

#include "web/handlers.h"
#include "web/host_actions.h"
#include "web/pages.h"
#include "web/responses.h"

namespace left4me::web::page {
namespace {

// The add form's fields, as typed (shown again when the host is refused).
constexpr const char* kAddFields[] = {"name",     "address",  "ssh_port",    "ssh_user",
                                      "port_min", "port_max", "max_servers", "cpus"};

std::string address_text(const Host& host) {
  if (host.local()) return "this machine";
  return fmt::format("{}@{}:{}", host.ssh_user, host.address, host.ssh_port);
}

// Whether the host answered its last poll, as the row's state: {text, class, error}.
nlohmann::json reach_view(const Host& host, const std::map<std::int64_t, HostPoll>& polls) {
  if (!host.usable()) return {{"text", "key not confirmed"}, {"class", "idle"}, {"error", ""}, {"round_trip", ""}};
  auto poll = polls.find(host.id);
  if (poll == polls.end()) return {{"text", "not polled yet"}, {"class", "idle"}, {"error", ""}, {"round_trip", ""}};
  if (!poll->second.answered) {
    return {{"text", "unreachable"}, {"class", "bad"}, {"error", poll->second.error}, {"round_trip", ""}};
  }
  return {{"text", "reachable"},
          {"class", "good"},
          {"error", ""},
          {"round_trip", fmt::format("{} ms", poll->second.round_trip.count())}};
}

// The game build and free disk from the host's facts; `read` is false for a host not read (not reachable now).
nlohmann::json facts_view(const std::map<std::int64_t, HostFact>& facts, std::int64_t id) {
  nlohmann::json view = {{"build", ""}, {"build_error", ""}, {"disk", "unknown"}};
  auto fact = facts.find(id);
  if (fact == facts.end()) return view;
  if (!fact->second.builds) {
    view["build_error"] = fact->second.error;
    return view;
  }
  const GameBuilds& builds = *fact->second.builds;
  view["build"] = builds.current.value_or("none installed");
  if (builds.disk) {
    view["disk"] = fmt::format("{} free of {}", format_bytes(static_cast<double>(builds.disk->free_bytes)),
                               format_bytes(static_cast<double>(builds.disk->total_bytes)));
  }
  return view;
}

// The facts of the hosts that answered their last poll (read now where older than 30 s; the others are not waited
// for: an unreachable host would hold the page for its timeout).
std::map<std::int64_t, HostFact> read_facts(App& app, const std::vector<Host>& hosts,
                                            const std::map<std::int64_t, HostPoll>& polls) {
  std::vector<std::int64_t> ids;
  for (const Host& host : hosts) {
    auto poll = polls.find(host.id);
    bool answered = poll != polls.end() && poll->second.answered;
    if (host.usable() && (answered || (host.local() && poll == polls.end()))) ids.push_back(host.id);
  }
  return app.host_facts->get(ids);
}

Result<nlohmann::json> host_rows(App& app, const std::vector<Host>& hosts) {
  Result<std::map<std::int64_t, int>> counts = app.hosts->server_counts();
  if (!counts) return counts.error();
  Result<std::map<std::int64_t, int>> running = running_counts(app);
  if (!running) return running.error();
  std::map<std::int64_t, HostPoll> polls = app.status_cache->host_polls();
  std::map<std::int64_t, HostFact> facts = read_facts(app, hosts, polls);
  nlohmann::json rows = nlohmann::json::array();
  for (const Host& host : hosts) {
    nlohmann::json row = {{"id", host.id},
                          {"name", host.name},
                          {"local", host.local()},
                          {"usable", host.usable()},
                          {"address", address_text(host)},
                          {"reach", reach_view(host, polls)},
                          {"servers", (*counts)[host.id]},
                          {"running", (*running)[host.id]},
                          {"max_servers", host.max_servers},
                          {"ports", fmt::format("{}–{}", host.ports.start, host.ports.end)},
                          {"cpus", host.cpus}};
    row.update(facts_view(facts, host.id));
    if (!host.local()) {
      row["key"] = {{"fingerprint", host.key.fingerprint}, {"confirmed", host.key_confirmed}};
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Response hosts_page(App& app, Context& context, int status, const nlohmann::json& extra) {
  nlohmann::json view = base_view(context, "Hosts", "admin");
  for (auto it = extra.begin(); it != extra.end(); ++it) view[it.key()] = it.value();
  Result<std::vector<Host>> hosts = app.hosts->list();
  if (!hosts) return error_from(hosts.error());
  Result<nlohmann::json> rows = host_rows(app, *hosts);
  if (!rows) return error_from(rows.error());
  view["hosts"] = std::move(*rows);
  Result<std::string> panel_key = app.panel_public_key();
  view["panel_key"] = panel_key ? *panel_key : "";
  view["panel_key_error"] = panel_key ? "" : panel_key.error().message();
  if (!view.contains("new")) {
    view["new"] = nlohmann::json::object();
    for (const char* field : kAddFields) view["new"][field] = "";
    view["new"]["ssh_port"] = "22";
    view["new"]["ssh_user"] = "left4me";
  }
  return html_page(status, "hosts", view);
}

// A refusal on the hosts page, said where it concerns (`where`: "error", the page's alert at the top, for a host's
// buttons; "add_error" above the add form): 422 for bad input, 409 for a conflict (a name taken, servers left, a scan
// that found no key); any other error is the error page.
Response refused(App& app, Context& context, std::string_view what, const Error& error, const std::string& where,
                 nlohmann::json extra = nlohmann::json::object()) {
  int status = 0;
  if (error.code() == ErrorCode::kInvalidArgument) status = 422;
  if (error.code() == ErrorCode::kAlreadyExists || error.code() == ErrorCode::kUnavailable) status = 409;
  if (status == 0) return error_from(error);
  extra[where] = fmt::format("{}: {}.", what, error.message());
  return hosts_page(app, context, status, extra);
}

}  // namespace

Response hosts(App& app, Context& context) { return hosts_page(app, context, 200, nlohmann::json::object()); }

Response create_host(App& app, Context& context) {
  Form form(context.request);
  nlohmann::json typed = nlohmann::json::object();
  for (const char* field : kAddFields) typed[field] = form.get(field);
  Result<HostInput> input = host_input_from(context.request);
  Result<Host> host = input ? add_scanned_host(app, *input) : Result<Host>(input.error());
  if (!host) return refused(app, context, "Host not added", host.error(), "add_error", {{"new", typed}});
  return redirect("/admin/hosts?notice=host_added");
}

Response confirm_host_key(App& app, Context& context, const Host& host) {
  Result<Host> confirmed = confirm_scanned_key(app, host, Form(context.request).get("fingerprint"));
  if (!confirmed) return refused(app, context, "Key not confirmed", confirmed.error(), "error");
  app.host_facts->forget(host.id);
  return redirect("/admin/hosts?notice=host_key_confirmed");
}

Response rescan_host_key(App& app, Context& context, const Host& host) {
  Result<Host> rescanned = rescan_host(app, host);
  if (!rescanned) return refused(app, context, "Key not scanned", rescanned.error(), "error");
  app.host_facts->forget(host.id);
  return redirect("/admin/hosts?notice=host_key_scanned");
}

Response confirm_delete_host(App& app, Context& context, const Host& host) {
  Result<std::map<std::int64_t, int>> counts = app.hosts->server_counts();
  if (!counts) return error_from(counts.error());
  int servers = (*counts)[host.id];
  nlohmann::json view = base_view(context, "Delete host " + host.name, "admin");
  view["doomed"] = {{"id", host.id},         {"name", host.name},
                    {"local", host.local()}, {"address", address_text(host)},
                    {"servers", servers},    {"has_servers", servers > 0}};
  return html_page(200, "host_delete", view);
}

Response install_on_host(App& app, Context& context, const Host& host) {
  if (!host.usable()) {
    Error unusable = Error::unavailable(fmt::format("host '{}' runs nothing until its key is confirmed", host.name));
    return refused(app, context, "Installation not queued", unusable, "error");
  }
  Result<Job> job = app.runner->queue_install(context.user().id, host.id);
  if (!job) return refused(app, context, "Installation not queued", job.error(), "error");
  return redirect(fmt::format("/jobs/{}?notice=install_queued", job->id));
}

// One install job per usable host, each with its own progress on the Jobs page.
Response install_on_all_hosts(App& app, Context& context) {
  for (const HostCtls::Entry& host : app.host_ctls->all()) {
    if (!host.ctl) continue;  // its key is not confirmed: nothing can run there
    Result<Job> job = app.runner->queue_install(context.user().id, host.id);
    if (!job) return refused(app, context, "Installation not queued on " + host.name, job.error(), "error");
  }
  return redirect("/jobs?notice=installs_queued");
}

Response delete_host(App& app, Context& context, const Host& host) {
  if (Status removed = delete_host_record(app, host); !removed) {
    return refused(app, context, "Host not deleted", removed.error(), "error");
  }
  app.host_facts->forget(host.id);
  return redirect("/admin/hosts?notice=host_deleted");
}

}  // namespace left4me::web::page
