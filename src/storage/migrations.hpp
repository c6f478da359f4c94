#pragma once
// Numbered schema migrations per dialect: migrations/<dialect>/NNNN_name.sql, embedded at build
// time, applied in order, each in its own transaction, recorded in schema_migrations.
// On PostgreSQL an advisory lock keeps two nodes from migrating at once.
#include <string>
#include <vector>

#include "common/error.hpp"
#include "storage/database.hpp"

namespace overture::storage {

struct Migration {
    int version = 0;
    std::string name;  // file name without the number and extension
    std::string sql;
};

// The embedded migrations of a dialect in version order. Fails when a file name has no
// number or two files share one.
Result<std::vector<Migration>> LoadMigrations(Dialect dialect);

struct MigrateReport {
    int from_version = 0;
    int to_version = 0;
    std::vector<std::string> applied;  // "0001_init", ...
};

// Applies every migration newer than the database's version. A migration that fails is rolled
// back (on SQLite too: each runs in one transaction) and its error names the file. Refuses a
// database whose version is newer than this binary knows (kFailedPrecondition).
Result<MigrateReport> Migrate(Database& db);

}  // namespace overture::storage
