#include "storage/migrations.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "storage/query_catalog.hpp"

namespace overture::storage {

Result<std::vector<Migration>> LoadMigrations(Dialect dialect) {
    auto prefix = fmt::format("migrations/{}/", DialectName(dialect));
    std::vector<Migration> out;
    for (const auto& f : EmbeddedSqlFiles()) {
        if (!f.path.starts_with(prefix)) continue;
        std::string_view file = std::string_view(f.path).substr(prefix.size());
        int version = 0;
        auto [ptr, ec] = std::from_chars(file.data(), file.data() + file.size(), version);
        if (ec != std::errc() || version <= 0 || ptr == file.data() + file.size() || *ptr != '_') {
            return Fail(Error::Internal(
                fmt::format("migration file {} does not start with a number and '_'", f.path)));
        }
        auto stem = file.substr(0, file.rfind('.'));
        out.push_back(Migration{version, std::string(stem), std::string(f.text)});
    }
    std::sort(out.begin(), out.end(),
              [](const Migration& a, const Migration& b) { return a.version < b.version; });
    for (std::size_t i = 1; i < out.size(); ++i) {
        if (out[i].version == out[i - 1].version) {
            return Fail(Error::Internal(fmt::format("migrations {} and {} share version {}",
                                                    out[i - 1].name, out[i].name, out[i].version)));
        }
    }
    return out;
}

namespace {

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

// One transaction: take the lock (PostgreSQL), read the version, apply the next migration.
// Returns the migration applied, or an empty name when there was nothing left to do.
Result<std::string> ApplyNext(Database& db, const std::vector<Migration>& all, int& before,
                              int& version) {
    auto tx = db.Begin(TxMode::kWrite);
    if (!tx) return Fail(tx.error());
    auto& t = **tx;
    if (db.dialect() == Dialect::kPostgres) {
        // Arbitrary constant: "overture migrations". Held until this transaction ends.
        if (auto r = t.QuerySql("SELECT pg_advisory_xact_lock(7210001)", {}); !r) {
            return Fail(r.error());
        }
    }
    if (auto st = t.ExecScript(kCreateTable); !st) return Fail(st.error());
    auto rows = t.QuerySql("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {});
    if (!rows) return Fail(rows.error());
    version = static_cast<int>(AsInt(rows->rows.at(0).at(0)));
    before = version;
    auto next = std::find_if(all.begin(), all.end(),
                             [&](const Migration& m) { return m.version > version; });
    if (next == all.end()) return std::string();
    if (auto st = t.ExecScript(next->sql); !st) {
        auto e = st.error();
        e.message = fmt::format("migration {} failed: {}", next->name, e.message);
        return Fail(std::move(e));
    }
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    std::string insert = db.dialect() == Dialect::kPostgres
                             ? "INSERT INTO schema_migrations VALUES ($1, $2, $3)"
                             : "INSERT INTO schema_migrations VALUES (?1, ?2, ?3)";
    std::vector<Value> params{std::int64_t{next->version}, next->name, std::int64_t{now}};
    if (auto r = t.QuerySql(insert, params); !r) return Fail(r.error());
    if (auto st = t.Commit(); !st) return Fail(st.error());
    version = next->version;
    return next->name;
}

}  // namespace

Result<MigrateReport> Migrate(Database& db) {
    auto all = LoadMigrations(db.dialect());
    if (!all) return Fail(all.error());
    MigrateReport report;
    int version = 0;
    bool first = true;
    while (true) {
        int before = 0;
        auto applied = ApplyNext(db, *all, before, version);
        if (!applied) return Fail(applied.error());
        if (first) report.from_version = before;
        first = false;
        if (applied->empty()) break;
        report.applied.push_back(*applied);
    }
    if (!all->empty() && version > all->back().version) {
        return Fail(Error::FailedPrecondition(fmt::format(
            "the database is at schema version {}, newer than this binary's {}; upgrade "
            "overture",
            version, all->back().version)));
    }
    report.to_version = version;
    return report;
}

}  // namespace overture::storage
