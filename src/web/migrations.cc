#include "web/migrations.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>

namespace left4me::web {
namespace {

// Append only: never edit a migration that has shipped.
constexpr std::array<std::string_view, 18> kMigrations = {
    R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  is_admin INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  read_only INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);
CREATE TABLE setup_tokens (
  token_hash TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE TABLE login_failures (
  key TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at);
CREATE TABLE blueprints (
  id INTEGER PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  config TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (owner_id, name)
);
CREATE TABLE servers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  owner_id INTEGER NOT NULL REFERENCES users(id),
  blueprint_id INTEGER NOT NULL REFERENCES blueprints(id) ON DELETE RESTRICT,
  port INTEGER NOT NULL UNIQUE,
  state TEXT NOT NULL DEFAULT 'new',
  applied_blueprint_id INTEGER,
  applied_version INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX servers_owner ON servers(owner_id);
CREATE INDEX servers_blueprint ON servers(blueprint_id);
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  target TEXT NOT NULL,
  server_id INTEGER REFERENCES servers(id) ON DELETE SET NULL,
  owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  state TEXT NOT NULL DEFAULT 'queued',
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  exit_code INTEGER,
  reason TEXT,
  progress TEXT
);
CREATE INDEX jobs_state ON jobs(state, id);
CREATE INDEX jobs_server ON jobs(server_id, id);
CREATE INDEX jobs_owner ON jobs(owner_id, id);
CREATE TABLE job_lines (
  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  line TEXT NOT NULL,
  PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;
)sql",
    // 2: a server's host instance gets a name of its own (`instance`), apart from the name people see, and the
    // panel manages only host instances it made or an admin adopted (`owns_instance`). Rows from before keep
    // their name on the host; the panel made their instance only if it ever initialized it.
    R"sql(
ALTER TABLE servers ADD COLUMN instance TEXT;
ALTER TABLE servers ADD COLUMN owns_instance INTEGER NOT NULL DEFAULT 0;
UPDATE servers SET instance = name, owns_instance = (applied_version IS NOT NULL);
CREATE UNIQUE INDEX servers_instance ON servers(instance);
)sql",
    // 3: per-user limits an administrator sets; NULL is the default from web.env.
    R"sql(
ALTER TABLE users ADD COLUMN max_servers INTEGER;
ALTER TABLE users ADD COLUMN max_blueprints INTEGER;
)sql",
    // 4: an API token may be for /metrics only (a scraper's; read_only is set for it too).
    R"sql(
ALTER TABLE api_tokens ADD COLUMN metrics_only INTEGER NOT NULL DEFAULT 0;
)sql",
    // 5: every console command sent from the panel (rcon_console.h). The names are kept so an entry outlives its
    // user; a deleted server's entries stay with server_id NULL (ids can be reused, so they are shown on no
    // server).
    R"sql(
CREATE TABLE rcon_audit (
  id INTEGER PRIMARY KEY,
  server_id INTEGER REFERENCES servers(id) ON DELETE SET NULL,
  server_name TEXT NOT NULL,
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  user_name TEXT NOT NULL,
  at INTEGER NOT NULL,
  command TEXT NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX rcon_audit_server ON rcon_audit(server_id, id);
)sql",
    // 6: deleting a user removes their servers first, through jobs; `deleting` marks a user whose removal waits for
    // them (accounts.h, remove_user_if_emptied).
    R"sql(
ALTER TABLE users ADD COLUMN deleting INTEGER NOT NULL DEFAULT 0;
)sql",
    // 7: server names are unique per owner, no longer on the whole panel. SQLite cannot drop a column's UNIQUE, so
    // the table is rebuilt (create, copy, drop, rename: migrate_to runs it with foreign keys off, so dropping the old
    // table does not empty jobs.server_id). Every server keeps its id and its host instance.
    R"sql(
CREATE TABLE servers_new (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  owner_id INTEGER NOT NULL REFERENCES users(id),
  blueprint_id INTEGER NOT NULL REFERENCES blueprints(id) ON DELETE RESTRICT,
  port INTEGER NOT NULL UNIQUE,
  state TEXT NOT NULL DEFAULT 'new',
  applied_blueprint_id INTEGER,
  applied_version INTEGER,
  created_at INTEGER NOT NULL,
  instance TEXT NOT NULL,
  owns_instance INTEGER NOT NULL DEFAULT 0,
  UNIQUE (owner_id, name)
);
INSERT INTO servers_new (id, name, owner_id, blueprint_id, port, state, applied_blueprint_id, applied_version,
                         created_at, instance, owns_instance)
  SELECT id, name, owner_id, blueprint_id, port, state, applied_blueprint_id, applied_version, created_at, instance,
         owns_instance FROM servers;
DROP TABLE servers;
ALTER TABLE servers_new RENAME TO servers;
CREATE INDEX servers_blueprint ON servers(blueprint_id);
CREATE UNIQUE INDEX servers_instance ON servers(instance);
)sql",
    // 8: two-factor sign-in (the TOTP secrets sealed with the secret key, the replay guard, the set-up not yet
    // confirmed), recovery codes (hashes), the sign-ins waiting for their second step, panel settings, and the
    // audit log.
    R"sql(
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
ALTER TABLE users ADD COLUMN totp_pending_secret TEXT;
CREATE TABLE recovery_codes (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  used_at INTEGER
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);
CREATE TABLE pending_logins (
  id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL
);
CREATE INDEX pending_logins_user ON pending_logins(user_id);
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  actor_name TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
)sql",
    // 9: each server's daily restart (restart_schedules.h): its settings, and the time (Unix seconds) of the last
    // restart the scheduler queued or skipped, so a restart of the web app never queues one day's twice.
    R"sql(
CREATE TABLE restart_schedules (
  server_id INTEGER PRIMARY KEY REFERENCES servers(id) ON DELETE CASCADE,
  enabled INTEGER NOT NULL DEFAULT 0,
  minute_of_day INTEGER NOT NULL,
  max_wait_minutes INTEGER NOT NULL,
  message TEXT NOT NULL,
  last_due_at INTEGER
);
)sql",
    // 10: servers shared with other users, one role each (shares.h). A share goes with its server or its user;
    // who granted it is kept while that user exists.
    R"sql(
CREATE TABLE server_shares (
  server_id INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  granted_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  granted_at INTEGER NOT NULL,
  PRIMARY KEY (server_id, user_id)
) WITHOUT ROWID;
CREATE INDEX server_shares_user ON server_shares(user_id);
)sql",
    // 11: each server's history (server_events.h), kept with its server, and the administrators' outgoing webhooks
    // (webhooks.h) with the outcome of their last delivery. `events` lists the alert events a webhook is sent for,
    // comma-separated.
    R"sql(
CREATE TABLE server_events (
  id INTEGER PRIMARY KEY,
  server_id INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  reason TEXT NOT NULL,
  job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL
);
CREATE INDEX server_events_server ON server_events(server_id, id);
CREATE TABLE webhooks (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL,
  kind TEXT NOT NULL,
  events TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_attempt_at INTEGER,
  last_status INTEGER,
  last_error TEXT NOT NULL DEFAULT '',
  delivered INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0
);
)sql",
    // 12: overlays as records (issue 14); blueprints stack them in blueprint_overlays (kept by the blueprint store
    // beside the spec, whose overlay refs are the records' directories); a per-user overlay quota (NULL: web.env's).
    R"sql(
CREATE TABLE overlays (
  id INTEGER PRIMARY KEY,
  owner_id INTEGER REFERENCES users(id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  directory TEXT UNIQUE,
  size_bytes INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX overlays_owner_name ON overlays (ifnull(owner_id, 0), name);
CREATE TABLE blueprint_overlays (
  blueprint_id INTEGER NOT NULL REFERENCES blueprints(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  overlay_id INTEGER NOT NULL REFERENCES overlays(id),
  PRIMARY KEY (blueprint_id, position)
);
CREATE INDEX blueprint_overlays_overlay ON blueprint_overlays (overlay_id);
ALTER TABLE users ADD COLUMN overlay_quota_bytes INTEGER;
)sql",
    // 13: managed global overlays' sources and what is installed from them (managed_overlays.h).
    R"sql(
CREATE TABLE managed_overlays (
  overlay_id INTEGER PRIMARY KEY REFERENCES overlays(id) ON DELETE CASCADE,
  source_url TEXT NOT NULL DEFAULT '',
  version TEXT NOT NULL DEFAULT '',
  sha256 TEXT NOT NULL DEFAULT '',
  fetched_at INTEGER,
  checked_at INTEGER,
  last_error TEXT NOT NULL DEFAULT ''
);
)sql",
    // 14: Workshop overlays (workshop_lists.h): the ids and collection ids a user gave (workshop_entries, in order),
    // the items a refresh resolved them to with each one's state (workshop_items), the last refresh of each overlay
    // (workshop_refreshes), and the overlay a refresh_workshop job is for (jobs.overlay_id; NULL: every Workshop
    // overlay). The files themselves are the content library's (workshop_cache/).
    R"sql(
ALTER TABLE jobs ADD COLUMN overlay_id INTEGER;
CREATE TABLE workshop_entries (
  overlay_id INTEGER NOT NULL REFERENCES overlays(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  steam_id TEXT NOT NULL,
  PRIMARY KEY (overlay_id, position)
) WITHOUT ROWID;
CREATE TABLE workshop_items (
  overlay_id INTEGER NOT NULL REFERENCES overlays(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  item_id TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  file_size INTEGER NOT NULL DEFAULT 0,
  time_updated INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  bytes_done INTEGER NOT NULL DEFAULT 0,
  checked_at INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (overlay_id, item_id)
) WITHOUT ROWID;
CREATE TABLE workshop_refreshes (
  overlay_id INTEGER PRIMARY KEY REFERENCES overlays(id) ON DELETE CASCADE,
  refreshed_at INTEGER NOT NULL,
  error TEXT NOT NULL DEFAULT ''
);
)sql",
    // 15: a managed overlay's source may be an uploaded archive (its file name; the archive itself is
    // <data>/managed-sources/<overlay id>.archive) instead of a URL (managed_overlays.h).
    R"sql(
ALTER TABLE managed_overlays ADD COLUMN source_upload TEXT NOT NULL DEFAULT '';
)sql",
    // 16: script overlays (script_overlays.h): a description, when the script was last saved, and for one seeded
    // from an example file (`l4d2web seed-script-overlays`) the file's key and the SHA-256 of what was seeded, so
    // seeding again finds the same overlay and changes it only when the file changed. The script itself is the
    // file scripts/<id>.sh under the host root.
    R"sql(
CREATE TABLE script_overlays (
  overlay_id INTEGER PRIMARY KEY REFERENCES overlays(id) ON DELETE CASCADE,
  description TEXT NOT NULL DEFAULT '',
  saved_at INTEGER,
  example TEXT UNIQUE,
  example_sha256 TEXT NOT NULL DEFAULT ''
);
)sql",
    // 17: several hosts (hosts.h). Each host is a record; the panel's own machine is `local` (id 1, no address: it
    // needs no SSH; its port range is web.env's, written at every start). A remote host's key is pinned in two steps:
    // the scanned known_hosts line and its fingerprint, then the admin's confirmation. Every server belongs to one
    // host (those from before to `local`), and its port is unique on that host, no longer on the whole panel: the
    // servers table is rebuilt as migration 7 did. Instance names stay unique across the panel.
    R"sql(
CREATE TABLE hosts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  address TEXT NOT NULL DEFAULT '',
  ssh_port INTEGER NOT NULL DEFAULT 22,
  ssh_user TEXT NOT NULL DEFAULT 'left4me',
  port_min INTEGER NOT NULL,
  port_max INTEGER NOT NULL,
  max_servers INTEGER NOT NULL,
  cpus TEXT NOT NULL DEFAULT '',
  host_key TEXT NOT NULL DEFAULT '',
  host_key_fingerprint TEXT NOT NULL DEFAULT '',
  host_key_confirmed INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
INSERT INTO hosts (id, name, port_min, port_max, max_servers, host_key_confirmed, created_at)
  VALUES (1, 'local', 27015, 27115, 101, 1, CAST(strftime('%s', 'now') AS INTEGER));
CREATE TABLE servers_new (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  owner_id INTEGER NOT NULL REFERENCES users(id),
  blueprint_id INTEGER NOT NULL REFERENCES blueprints(id) ON DELETE RESTRICT,
  host_id INTEGER NOT NULL DEFAULT 1 REFERENCES hosts(id),
  port INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'new',
  applied_blueprint_id INTEGER,
  applied_version INTEGER,
  created_at INTEGER NOT NULL,
  instance TEXT NOT NULL,
  owns_instance INTEGER NOT NULL DEFAULT 0,
  UNIQUE (owner_id, name),
  UNIQUE (host_id, port)
);
INSERT INTO servers_new (id, name, owner_id, blueprint_id, host_id, port, state, applied_blueprint_id,
                         applied_version, created_at, instance, owns_instance)
  SELECT id, name, owner_id, blueprint_id, 1, port, state, applied_blueprint_id, applied_version, created_at,
         instance, owns_instance FROM servers;
DROP TABLE servers;
ALTER TABLE servers_new RENAME TO servers;
CREATE INDEX servers_blueprint ON servers(blueprint_id);
CREATE UNIQUE INDEX servers_instance ON servers(instance);
)sql",
    // 18: a job that acts on a host rather than a server (installing or checking the game) names the host. Jobs from
    // before, and every server's job (its server names the host), have none.
    R"sql(
ALTER TABLE jobs ADD COLUMN host_id INTEGER REFERENCES hosts(id) ON DELETE SET NULL;
)sql",
};

// Foreign keys stay off while migrations run, as SQLite's procedure for changing a table asks: with them on,
// rebuilding a table others refer to would run their ON DELETE actions when the old one is dropped. SQLite ignores
// the pragma inside a transaction, so it is set around them; each migration checks every key before it commits.
class ForeignKeysOff {
 public:
  explicit ForeignKeysOff(Database& database) : database_(database) { status_ = set("OFF"); }
  ~ForeignKeysOff() { (void)set("ON"); }
  const Status& status() const { return status_; }

 private:
  Status set(std::string_view value) {
    Database::Lock lock(database_);
    return lock.exec(fmt::format("PRAGMA foreign_keys = {}", value));
  }
  Database& database_;
  Status status_ = ok_status();
};

// The first broken foreign key in the open transaction, as an error naming its table and row.
Status check_foreign_keys(Database::Lock& lock) {
  auto check = lock.prepare("PRAGMA foreign_key_check");
  if (!check) return check.error();
  Result<bool> broken = check->step();
  if (!broken) return broken.error();
  if (!*broken) return ok_status();
  Error error = Error::failed(fmt::format("foreign key check: row {} of table {} names a missing row of {}",
                                          check->column_int(1), check->column_text(0), check->column_text(2)));
  check->reset();
  return error;
}

}  // namespace

int latest_schema_version() { return static_cast<int>(kMigrations.size()); }

Status migrate(Database& database) { return migrate_to(database, latest_schema_version()); }

Status migrate_to(Database& database, int target) {
  Result<int> current = database.schema_version();
  if (!current) return current.error();
  if (*current > latest_schema_version()) {
    return Error::failed(fmt::format("database '{}' has schema version {}, newer than this build's {}", database.path(),
                                     *current, latest_schema_version()));
  }
  ForeignKeysOff keys_off(database);
  if (!keys_off.status()) return keys_off.status();
  for (int version = *current + 1; version <= std::min(target, latest_schema_version()); ++version) {
    auto transaction = Database::Transaction::begin(database);
    if (!transaction) return transaction.error();
    if (Status status = (*transaction)->lock().exec(kMigrations[static_cast<size_t>(version - 1)]); !status) {
      return status.error().with_context(fmt::format("migration {}", version));
    }
    if (Status status = check_foreign_keys((*transaction)->lock()); !status) {
      return status.error().with_context(fmt::format("migration {}", version));
    }
    if (Status status = (*transaction)->lock().exec(fmt::format("PRAGMA user_version = {}", version)); !status) {
      return status.error();
    }
    if (Status status = (*transaction)->commit(); !status) return status.error();
  }
  return ok_status();
}

}  // namespace left4me::web
