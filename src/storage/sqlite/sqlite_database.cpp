#include "storage/sqlite/sqlite_database.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <vector>

#include "storage/backend_helpers.hpp"
#include "storage/connection_pool.hpp"
#include "storage/sql_text.hpp"
#include "storage/sqlite/connection.hpp"

namespace overture::storage::sqlite {

namespace {

class SqliteDatabase;

// Holds a connection lent by the pool; gives it back, rolled back if still open, when done.
class SqliteTransaction final : public Transaction {
  public:
    SqliteTransaction(SqliteDatabase& db, TxMode mode, std::unique_ptr<Connection> conn)
        : db_(db), mode_(mode), conn_(std::move(conn)) {}
    ~SqliteTransaction() override { Finish(); }

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
    Result<Rows> Run(std::string_view name, std::span<const Value> params, std::int64_t* changes);
    Status CheckOpen() const;
    void Finish();

    SqliteDatabase& db_;
    TxMode mode_;
    std::unique_ptr<Connection> conn_;  // null once committed or rolled back
};

class SqliteDatabase final : public Database {
  public:
    SqliteDatabase(std::string path, const PoolOptions& options, QueryCatalog catalog)
        : path_(std::move(path)),
          options_(options),
          catalog_(std::move(catalog)),
          writer_(1, options_.acquire_timeout, "sqlite: no free writer connection",
                  [this] { return Connection::Open(path_, Role::kWriter, options_.busy_timeout); }),
          readers_(options_.max_connections, options_.acquire_timeout,
                   "sqlite: no free reader connection", [this] {
                       return Connection::Open(path_, Role::kReader, options_.busy_timeout);
                   }) {}

    Dialect dialect() const override { return Dialect::kSqlite; }
    Result<std::unique_ptr<Transaction>> Begin(TxMode mode) override;
    Status PrepareCatalog() override;
    Status Ping() override { return PingWithSelect(*this); }
    PoolStats Stats() const override { return Sum(writer_.Stats(), readers_.Stats()); }

    const QueryCatalog& catalog() const { return catalog_; }
    // Opens the writer connection, so that Open() fails on a file it cannot open or create.
    Status Start() { return writer_.Prefill(); }
    void Release(TxMode mode, std::unique_ptr<Connection> conn) {
        Pool(mode).Release(std::move(conn), true);
    }

  private:
    ConnectionPool<Connection>& Pool(TxMode mode) {
        return mode == TxMode::kRead ? readers_ : writer_;
    }

    const std::string path_;
    const PoolOptions options_;
    const QueryCatalog catalog_;
    // A pool of one: writers of this process queue here rather than on SQLite's lock.
    ConnectionPool<Connection> writer_;
    ConnectionPool<Connection> readers_;  // query_only connections, opened on demand
};

// --- database ---

Result<std::unique_ptr<Transaction>> SqliteDatabase::Begin(TxMode mode) {
    auto conn = Pool(mode).Acquire();
    if (!conn) return Fail(conn.error());
    // foreign_keys can only change outside a transaction.
    auto st =
        mode == TxMode::kSchemaChange ? (*conn)->ExecScript("PRAGMA foreign_keys=OFF") : Status();
    if (st) st = (*conn)->ExecScript(mode == TxMode::kRead ? "BEGIN" : "BEGIN IMMEDIATE");
    if (!st) {
        if (mode == TxMode::kSchemaChange) (void)(*conn)->ExecScript("PRAGMA foreign_keys=ON");
        Release(mode, std::move(*conn));
        return Fail(st.error());
    }
    return std::make_unique<SqliteTransaction>(*this, mode, std::move(*conn));
}

Status SqliteDatabase::PrepareCatalog() {
    auto conn = writer_.Acquire();
    if (!conn) return Fail(conn.error());
    auto result = PrepareCatalogOn(**conn, catalog_);
    Release(TxMode::kWrite, std::move(*conn));
    return result;
}

// --- transaction ---

Status SqliteTransaction::CheckOpen() const {
    if (conn_) return {};
    return Fail(Error::Internal("sqlite: the transaction is already committed or rolled back"));
}

Result<Rows> SqliteTransaction::Run(std::string_view name, std::span<const Value> params,
                                    std::int64_t* changes) {
    if (auto st = CheckOpen(); !st) return Fail(st.error());
    auto it = db_.catalog().entries().find(name);
    if (it == db_.catalog().entries().end()) {
        return Fail(Error::Internal(fmt::format("sqlite: unknown SQL statement '{}'", name)));
    }
    return conn_->RunNamed(it->first, it->second.sql, params, changes);
}

Result<Rows> SqliteTransaction::Query(std::string_view name, std::span<const Value> params) {
    return Run(name, params, nullptr);
}

Result<std::int64_t> SqliteTransaction::Exec(std::string_view name, std::span<const Value> params) {
    std::int64_t changes = 0;
    if (auto r = Run(name, params, &changes); !r) return Fail(r.error());
    return changes;
}

Result<std::int64_t> SqliteTransaction::ExecBatch(std::string_view name,
                                                  std::span<const std::vector<Value>> rows) {
    std::int64_t total = 0;
    for (const auto& row : rows) {
        std::int64_t changes = 0;
        if (auto r = Run(name, row, &changes); !r) return Fail(r.error());
        total += changes;
    }
    return total;
}

Result<std::int64_t> SqliteTransaction::BulkInsert(std::string_view table,
                                                   std::span<const std::string> columns,
                                                   std::span<const std::vector<Value>> rows,
                                                   std::span<const FixedColumn> fixed) {
    if (auto st = CheckOpen(); !st) return Fail(st.error());
    if (auto st = CheckBulkShape("sqlite", table, columns, rows); !st) return Fail(st.error());
    if (rows.empty()) return 0;
    auto written = conn_->InsertRows(table, columns, rows, fixed);
    // Rows before the failing one are written; roll them back now so that, as on PostgreSQL
    // (where a failed COPY aborts the transaction), a later Commit() cannot keep half a load.
    if (!written) Finish();
    return written;
}

Status SqliteTransaction::ExecScript(std::string_view sql) {
    if (auto st = CheckOpen(); !st) return st;
    return conn_->ExecScript(sql);
}

Result<std::int64_t> SqliteTransaction::ExecSql(std::string_view sql,
                                                std::span<const Value> params) {
    if (auto st = CheckOpen(); !st) return Fail(st.error());
    std::int64_t changes = 0;
    if (auto r = conn_->RunSql(sql, params, &changes); !r) return Fail(r.error());
    return changes;
}

Result<Rows> SqliteTransaction::QuerySql(std::string_view sql, std::span<const Value> params) {
    if (auto st = CheckOpen(); !st) return Fail(st.error());
    return conn_->RunSql(sql, params, nullptr);
}

Status SqliteTransaction::Commit() {
    if (auto st = CheckOpen(); !st) return st;
    if (mode_ == TxMode::kSchemaChange) {
        auto broken = conn_->RunSql("PRAGMA foreign_key_check", {}, nullptr);
        if (!broken) {
            Finish();
            return Fail(broken.error());
        }
        if (!broken->empty()) {
            Finish();
            return Fail(Error::FailedPrecondition(
                "the change would leave records linking to records that do not exist; "
                "nothing was changed"));
        }
    }
    auto st = conn_->ExecScript("COMMIT");
    Finish();  // rolls back if COMMIT failed and left the transaction open
    return st;
}

void SqliteTransaction::Finish() {
    if (!conn_) return;
    if (conn_->InTransaction()) (void)conn_->ExecScript("ROLLBACK");
    if (mode_ == TxMode::kSchemaChange) (void)conn_->ExecScript("PRAGMA foreign_keys=ON");
    db_.Release(mode_, std::move(conn_));
}

}  // namespace

Result<std::unique_ptr<Database>> Open(const std::string& path, const PoolOptions& options,
                                       QueryCatalog catalog) {
    if (path.empty() || path == ":memory:") {
        // Each pooled connection would get a database of its own.
        return Fail(Error::InvalidArgument("the SQLite database must be a file path"));
    }
    auto dir = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!dir.empty() && !std::filesystem::is_directory(dir, ec)) {
        return Fail(Error::Unavailable(
            fmt::format("cannot open the SQLite database {}: directory {} does not exist", path,
                        dir.string())));
    }
    auto db = std::make_unique<SqliteDatabase>(path, options, std::move(catalog));
    if (auto st = db->Start(); !st) return Fail(st.error());
    return db;
}

}  // namespace overture::storage::sqlite
