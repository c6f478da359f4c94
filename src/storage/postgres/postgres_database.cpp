#include "storage/postgres/postgres_database.hpp"

#include <fmt/format.h>

#include <atomic>
#include <vector>

#include "storage/backend_helpers.hpp"
#include "storage/connection_pool.hpp"
#include "storage/postgres/connection.hpp"
#include "storage/sql_text.hpp"

namespace overture::storage::postgres {

namespace {

class PostgresDatabase;

// COPY "table" ("a", "b") FROM STDIN (FORMAT text)
std::string CopySql(std::string_view table, std::span<const std::string> columns) {
    std::string names;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i > 0) names += ", ";
        names += QuoteIdent(columns[i]);
    }
    return fmt::format("COPY {} ({}) FROM STDIN (FORMAT text)", QuoteIdent(table), names);
}

// Holds a connection lent by the pool; gives it back, rolled back if still open, when done.
class PostgresTransaction final : public Transaction {
  public:
    PostgresTransaction(PostgresDatabase& db, std::unique_ptr<Connection> conn)
        : db_(db), conn_(std::move(conn)) {}
    ~PostgresTransaction() override { Finish(); }

    Result<Rows> Query(std::string_view name, std::span<const Value> params) override;
    Result<std::int64_t> Exec(std::string_view name, std::span<const Value> params) override;
    Result<std::int64_t> ExecBatch(std::string_view name,
                                   std::span<const std::vector<Value>> rows) override;
    Result<std::int64_t> BulkInsert(std::string_view table, std::span<const std::string> columns,
                                    std::span<const std::vector<Value>> rows,
                                    std::span<const FixedColumn> fixed) override;
    Status ExecScript(std::string_view sql) override;
    Result<Rows> QuerySql(std::string_view sql, std::span<const Value> params) override;
    Result<std::int64_t> ExecSql(std::string_view sql, std::span<const Value> params) override;
    Status Commit() override;

  private:
    // The catalog entry of `name`, or kInternal; also fails once the transaction is over.
    Result<const QueryCatalog::Entry*> Lookup(std::string_view name) const;
    Status CheckOpen() const;
    void Finish();

    PostgresDatabase& db_;
    std::unique_ptr<Connection> conn_;  // null once committed or rolled back
};

class PostgresDatabase final : public Database {
  public:
    PostgresDatabase(std::string url, const PoolOptions& options, QueryCatalog catalog)
        : url_(std::move(url)),
          catalog_(std::move(catalog)),
          pool_(options.max_connections, options.acquire_timeout, "postgres: no free connection",
                [this] { return Connect(); }) {}

    Dialect dialect() const override { return Dialect::kPostgres; }
    Result<std::unique_ptr<Transaction>> Begin(TxMode mode) override;
    Status PrepareCatalog() override;
    Status Ping() override { return PingWithSelect(*this); }
    PoolStats Stats() const override { return pool_.Stats(); }

    const QueryCatalog& catalog() const { return catalog_; }
    // Opens the first connection, so that Open() fails on a bad URL.
    Status Start() { return pool_.Prefill(); }
    // Takes back a connection; drops it when lost or not cleanly idle.
    void Release(std::unique_ptr<Connection> conn) {
        bool reuse = !conn->Broken() && conn->Idle();
        pool_.Release(std::move(conn), reuse);
    }

  private:
    Result<std::unique_ptr<Connection>> Connect();

    const std::string url_;
    const QueryCatalog catalog_;
    std::atomic<bool> catalog_ready_{false};  // PrepareCatalog() succeeded
    ConnectionPool<Connection> pool_;         // opens with Connect() on demand
};

// --- database ---

Result<std::unique_ptr<Connection>> PostgresDatabase::Connect() {
    auto conn = Connection::Connect(url_);
    if (!conn) return Fail(conn.error());
    if (catalog_ready_.load()) {
        for (const auto& [name, entry] : catalog_.entries()) {
            if (auto st = (*conn)->Prepare(name, entry.sql); !st) return Fail(st.error());
        }
    }
    return conn;
}

Result<std::unique_ptr<Transaction>> PostgresDatabase::Begin(TxMode mode) {
    auto conn = pool_.Acquire();
    if (!conn) return Fail(conn.error());
    auto st = (*conn)->ExecScript(mode == TxMode::kRead ? "BEGIN READ ONLY" : "BEGIN");
    if (!st) {
        Release(std::move(*conn));
        return Fail(st.error());
    }
    return std::make_unique<PostgresTransaction>(*this, std::move(*conn));
}

Status PostgresDatabase::PrepareCatalog() {
    auto conn = pool_.Acquire();
    if (!conn) return Fail(conn.error());
    auto result = PrepareCatalogOn(**conn, catalog_);
    Release(std::move(*conn));
    if (result) catalog_ready_.store(true);
    return result;
}

// --- transaction ---

Status PostgresTransaction::CheckOpen() const {
    if (conn_) return {};
    return Fail(Error::Internal("postgres: the transaction is already committed or rolled back"));
}

Result<const QueryCatalog::Entry*> PostgresTransaction::Lookup(std::string_view name) const {
    if (auto st = CheckOpen(); !st) return Fail(st.error());
    auto it = db_.catalog().entries().find(name);
    if (it == db_.catalog().entries().end()) {
        return Fail(Error::Internal(fmt::format("postgres: unknown SQL statement '{}'", name)));
    }
    return &it->second;
}

Result<Rows> PostgresTransaction::Query(std::string_view name, std::span<const Value> params) {
    auto entry = Lookup(name);
    if (!entry) return Fail(entry.error());
    return conn_->RunPrepared(std::string(name), (*entry)->sql, params, nullptr);
}

Result<std::int64_t> PostgresTransaction::Exec(std::string_view name,
                                               std::span<const Value> params) {
    auto entry = Lookup(name);
    if (!entry) return Fail(entry.error());
    std::int64_t changes = 0;
    auto rows = conn_->RunPrepared(std::string(name), (*entry)->sql, params, &changes);
    if (!rows) return Fail(rows.error());
    return changes;
}

Result<std::int64_t> PostgresTransaction::ExecBatch(std::string_view name,
                                                    std::span<const std::vector<Value>> rows) {
    auto entry = Lookup(name);
    if (!entry) return Fail(entry.error());
    return conn_->RunBatch(std::string(name), (*entry)->sql, rows);
}

Result<std::int64_t> PostgresTransaction::BulkInsert(std::string_view table,
                                                     std::span<const std::string> columns,
                                                     std::span<const std::vector<Value>> rows,
                                                     std::span<const FixedColumn> fixed) {
    if (auto st = CheckOpen(); !st) return Fail(st.error());
    if (auto st = CheckBulkShape("postgres", table, columns, rows); !st) return Fail(st.error());
    if (rows.empty()) return 0;
    std::vector<std::string> all;
    all.reserve(fixed.size() + columns.size());
    for (const auto& f : fixed) all.push_back(f.column);
    all.insert(all.end(), columns.begin(), columns.end());
    std::vector<Value> fixed_values;
    for (const auto& f : fixed) fixed_values.push_back(f.value);
    return conn_->CopyIn(CopySql(table, all), rows, fixed_values);
}

Status PostgresTransaction::ExecScript(std::string_view sql) {
    if (auto st = CheckOpen(); !st) return st;
    if (auto r = conn_->ExecScript(sql); !r) return Fail(r.error());
    return {};
}

Result<std::int64_t> PostgresTransaction::ExecSql(std::string_view sql,
                                                  std::span<const Value> params) {
    if (auto st = CheckOpen(); !st) return Fail(st.error());
    std::int64_t changes = 0;
    if (auto r = conn_->RunSql(sql, params, &changes); !r) return Fail(r.error());
    return changes;
}

Result<Rows> PostgresTransaction::QuerySql(std::string_view sql, std::span<const Value> params) {
    if (auto st = CheckOpen(); !st) return Fail(st.error());
    return conn_->RunSql(sql, params, nullptr);
}

Status PostgresTransaction::Commit() {
    if (auto st = CheckOpen(); !st) return st;
    auto tag = conn_->ExecScript("COMMIT");
    Finish();
    if (!tag) return Fail(tag.error());
    // COMMIT of a transaction in which a statement failed succeeds as a ROLLBACK.
    if (*tag != "COMMIT") {
        return Fail(Error::Internal(
            "postgres: the transaction was rolled back because a statement in it failed"));
    }
    return {};
}

void PostgresTransaction::Finish() {
    if (!conn_) return;
    if (!conn_->Broken() && !conn_->Idle()) (void)conn_->ExecScript("ROLLBACK");
    db_.Release(std::move(conn_));
}

}  // namespace

Result<std::unique_ptr<Database>> Open(const std::string& url, const PoolOptions& options,
                                       QueryCatalog catalog) {
    auto db = std::make_unique<PostgresDatabase>(url, options, std::move(catalog));
    if (auto st = db->Start(); !st) return Fail(st.error());
    return db;
}

}  // namespace overture::storage::postgres
