#pragma once
// Fresh, migrated databases for tests, on every backend.
//
// Tests run on SQLite and on PostgreSQL and never skip one silently: PostgreSQL cases need
// OVERTURE_TEST_POSTGRES_URL (an admin URL, set by `make test` through
// scripts/with-postgres.sh) and fail with a message saying so when it is missing.
// For GoogleTest suites parameterised over backends, see storage/testing/backend_param.hpp:
//
//     class UsersTest : public overture::storage::testing::BackendTest {};
//     TEST_P(UsersTest, Creates) { auto& db = *fresh().db; ... }
//     OVERTURE_INSTANTIATE_BACKENDS(UsersTest);
//
// or by hand: INSTANTIATE_TEST_SUITE_P(Backends, X, ::testing::ValuesIn(BackendNames())).
//
// Temporary SQLite folders and PostgreSQL databases are removed when the process exits.
// Thread-safety: all functions are thread-safe.
#include <memory>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "storage/database.hpp"
#include "storage/query_catalog.hpp"

namespace overture::storage::testing {

struct TestDatabase {
    std::string name;  // "sqlite" or "postgres"
    std::string url;   // the SQLite file path, or the PostgreSQL URL of the new database
    std::unique_ptr<Database> db;
};

// {"sqlite", "postgres"}.
std::vector<std::string> BackendNames();

// The dialect of a backend name; kSqlite for anything but "postgres".
Dialect DialectOf(const std::string& backend);

// Creates a brand-new empty database (a file in a fresh temporary folder, or a uniquely named
// PostgreSQL database), runs Migrate() and PrepareCatalog() with the dialect's embedded
// catalog. Fails with kInvalidArgument for an unknown backend, kFailedPrecondition when
// OVERTURE_TEST_POSTGRES_URL is unset, or with the error of the step that failed.
Result<TestDatabase> MakeFresh(const std::string& backend);
Result<TestDatabase> MakeFresh(const std::string& backend, const PoolOptions& options);

// Opens another pool on the database of `fresh` with other options and catalog; neither
// migrates nor prepares. Fails as the backend's Open().
Result<std::unique_ptr<Database>> Reopen(const TestDatabase& fresh, const PoolOptions& options,
                                         QueryCatalog catalog);

}  // namespace overture::storage::testing
