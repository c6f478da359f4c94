#include "app/open_database.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "service/queries.hpp"
#include "storage/postgres/postgres_database.hpp"
#include "storage/query_catalog.hpp"
#include "storage/sqlite/sqlite_database.hpp"

namespace overture::app {

Result<OpenedDatabase> OpenDatabase(const config::DatabaseConfig& config, bool migrate) {
    storage::PoolOptions pool;
    pool.max_connections = config.max_connections;
    pool.acquire_timeout = std::chrono::milliseconds(config.acquire_timeout_ms);

    const std::string& url = config.url;
    bool is_sqlite = url.starts_with("sqlite:");
    bool is_postgres = url.starts_with("postgresql://") || url.starts_with("postgres://");
    if (!is_sqlite && !is_postgres) {
        return Fail(Error::InvalidArgument(
            fmt::format("database URL '{}' must be sqlite:PATH or postgresql://...", url)));
    }
    auto dialect = is_sqlite ? storage::Dialect::kSqlite : storage::Dialect::kPostgres;
    auto catalog = storage::QueryCatalog::Load(dialect);
    if (!catalog) return Fail(catalog.error());
    if (auto st = catalog->RequireAll(service::q::All()); !st) return Fail(st.error());

    Result<std::unique_ptr<storage::Database>> db;
    if (is_sqlite) {
        std::string path = url.substr(std::string_view("sqlite:").size());
        auto parent = std::filesystem::path(path).parent_path();
        std::error_code ec;
        if (!parent.empty()) std::filesystem::create_directories(parent, ec);
        db = storage::sqlite::Open(path, pool, std::move(*catalog));
    } else {
        db = storage::postgres::Open(url, pool, std::move(*catalog));
    }
    if (!db) return Fail(db.error());

    OpenedDatabase out;
    out.db = std::move(*db);
    if (migrate) {
        auto report = storage::Migrate(*out.db);
        if (!report) return Fail(report.error());
        out.migrations = std::move(*report);
    }
    if (auto st = out.db->PrepareCatalog(); !st) {
        if (!migrate) {
            return Fail(Error::FailedPrecondition(
                fmt::format("the database schema is not ready ({}); run `overture migrate`",
                            st.error().message)));
        }
        return Fail(st.error());
    }
    return out;
}

}  // namespace overture::app
