#pragma once
// The composition root's database step: picks the backend from the URL, opens the pool, applies
// migrations, checks that the catalog declares every statement the code uses, and prepares them.
#include <memory>
#include <string>

#include "common/error.hpp"
#include "config/config.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"

namespace overture::app {

struct OpenedDatabase {
    std::unique_ptr<storage::Database> db;
    storage::MigrateReport migrations;
};

// `url` is sqlite:PATH or postgresql://...; fails with kInvalidArgument for another scheme,
// kUnavailable when the database cannot be reached, or the migration / preparation error.
// With migrate=false a database whose schema is behind fails with kFailedPrecondition.
Result<OpenedDatabase> OpenDatabase(const config::DatabaseConfig& config, bool migrate = true);

}  // namespace overture::app
