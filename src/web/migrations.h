// Versioned schema migrations of the web database (PRAGMA user_version). Thread-safe through Database.
#pragma once

#include "web/database.h"

namespace left4me::web {

// The schema version this build writes.
int latest_schema_version();

// Applies every migration newer than the database's version, each in its own transaction.
// Fails (changing nothing further) on the first error, or if the database is newer than this build.
Status migrate(Database& database);
// The same, up to version only (tests build databases as older builds left them).
Status migrate_to(Database& database, int version);

}  // namespace left4me::web
