#include "storage/testing/databases.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>

#include "storage/migrations.hpp"
#include "storage/postgres/postgres_database.hpp"
#include "storage/sqlite/sqlite_database.hpp"

namespace overture::storage::testing {

namespace {

constexpr const char* kPostgresUrlVar = "OVERTURE_TEST_POSTGRES_URL";

// What to remove at process exit: temporary folders and PostgreSQL databases.
class Leftovers {
  public:
    static Leftovers& Get() {
        static Leftovers leftovers;
        return leftovers;
    }
    void AddFolder(std::filesystem::path dir) {
        std::lock_guard lock(mu_);
        folders_.push_back(std::move(dir));
    }
    void AddDatabase(std::string admin_url, std::string name) {
        std::lock_guard lock(mu_);
        databases_.emplace_back(std::move(admin_url), std::move(name));
    }
    ~Leftovers() {
        std::error_code ec;
        for (const auto& dir : folders_) std::filesystem::remove_all(dir, ec);
        // Best effort: a test that leaked a pool still holds connections, hence FORCE.
        for (const auto& [admin_url, name] : databases_) {
            (void)AdminExec(admin_url,
                            fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name));
        }
    }

    static Status AdminExec(const std::string& admin_url, const std::string& sql) {
        PGconn* conn = PQconnectdb(admin_url.c_str());
        Status result;
        if (PQstatus(conn) != CONNECTION_OK) {
            result = Fail(Error::Unavailable(
                fmt::format("cannot connect to the test PostgreSQL server ({})", kPostgresUrlVar),
                PQerrorMessage(conn)));
        } else {
            PGresult* res = PQexec(conn, sql.c_str());
            if (PQresultStatus(res) != PGRES_COMMAND_OK) {
                result = Fail(Error::Internal(fmt::format("{}: {}", sql, PQerrorMessage(conn))));
            }
            PQclear(res);
        }
        PQfinish(conn);
        return result;
    }

  private:
    std::mutex mu_;
    std::vector<std::filesystem::path> folders_;                  // guarded by mu_
    std::vector<std::pair<std::string, std::string>> databases_;  // guarded by mu_
};

// Pid, counter and a random part: unique across test binaries sharing one server.
std::string UniqueSuffix() {
    static std::atomic<int> counter{0};
    static const unsigned salt = std::random_device{}() % 1000000;
    return fmt::format("{}_{}_{}", ::getpid(), salt, counter.fetch_add(1));
}

// The admin URL with its database (path) replaced by `db`, keeping any ?query.
std::string WithDatabase(const std::string& admin_url, const std::string& db) {
    auto scheme = admin_url.find("://");
    auto authority = scheme == std::string::npos ? 0 : scheme + 3;
    auto query = admin_url.find('?', authority);
    auto slash = admin_url.find('/', authority);
    if (slash == std::string::npos || (query != std::string::npos && slash > query)) {
        slash = query == std::string::npos ? admin_url.size() : query;
    }
    std::string rest = query == std::string::npos ? "" : admin_url.substr(query);
    return admin_url.substr(0, slash) + "/" + db + rest;
}

Result<std::string> MakeSqliteFile() {
    auto pattern = (std::filesystem::temp_directory_path() / "overture-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        return Fail(Error::Internal("mkdtemp failed for " + pattern));
    }
    Leftovers::Get().AddFolder(pattern);
    return (std::filesystem::path(pattern) / "overture.db").string();
}

Result<std::string> MakePostgresDatabase() {
    const char* admin = std::getenv(kPostgresUrlVar);
    if (admin == nullptr || *admin == '\0') {
        return Fail(Error::FailedPrecondition(
            fmt::format("{} is not set, so the PostgreSQL cases cannot run: run the tests through "
                        "`make test` (or scripts/with-postgres.sh <test binary>)",
                        kPostgresUrlVar)));
    }
    auto name = "overture_test_" + UniqueSuffix();
    if (auto st = Leftovers::AdminExec(admin, "CREATE DATABASE " + name); !st) {
        return Fail(st.error());
    }
    Leftovers::Get().AddDatabase(admin, name);
    return WithDatabase(admin, name);
}

Result<std::unique_ptr<Database>> OpenBackend(const std::string& backend, const std::string& url,
                                              const PoolOptions& options, QueryCatalog catalog) {
    if (backend == "sqlite") return sqlite::Open(url, options, std::move(catalog));
    if (backend == "postgres") return postgres::Open(url, options, std::move(catalog));
    return Fail(Error::InvalidArgument("unknown storage backend '" + backend + "'"));
}

}  // namespace

std::vector<std::string> BackendNames() { return {"sqlite", "postgres"}; }

Dialect DialectOf(const std::string& backend) {
    return backend == "postgres" ? Dialect::kPostgres : Dialect::kSqlite;
}

Result<TestDatabase> MakeFresh(const std::string& backend) {
    return MakeFresh(backend, PoolOptions{});
}

Result<TestDatabase> MakeFresh(const std::string& backend, const PoolOptions& options) {
    if (backend != "sqlite" && backend != "postgres") {
        return Fail(Error::InvalidArgument("unknown storage backend '" + backend + "'"));
    }
    auto url = backend == "sqlite" ? MakeSqliteFile() : MakePostgresDatabase();
    if (!url) return Fail(url.error());
    auto catalog = QueryCatalog::Load(DialectOf(backend));
    if (!catalog) return Fail(catalog.error());
    auto db = OpenBackend(backend, *url, options, std::move(*catalog));
    if (!db) return Fail(db.error());
    if (auto report = Migrate(**db); !report) return Fail(report.error());
    if (auto st = (*db)->PrepareCatalog(); !st) return Fail(st.error());
    return TestDatabase{backend, *url, std::move(*db)};
}

Result<std::unique_ptr<Database>> Reopen(const TestDatabase& fresh, const PoolOptions& options,
                                         QueryCatalog catalog) {
    return OpenBackend(fresh.name, fresh.url, options, std::move(catalog));
}

}  // namespace overture::storage::testing
