#include "storage/sqlite/sqlite_database.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <vector>

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
    Status ExecScript(std::string_view sql) override;
    Result<Rows> QuerySql(std::string_view sql, std::span<const Value> params) override;
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
    SqliteDatabase(std::string path, const PoolOptions& options, QueryCatalog catalog,
                   std::unique_ptr<Connection> writer)
        : path_(std::move(path)),
          options_(options),
          catalog_(std::move(catalog)),
          writer_(std::move(writer)) {}

    Dialect dialect() const override { return Dialect::kSqlite; }
    Result<std::unique_ptr<Transaction>> Begin(TxMode mode) override;
    Status PrepareCatalog() override;
    Status Ping() override;
    PoolStats Stats() const override;

    const QueryCatalog& catalog() const { return catalog_; }
    void Release(TxMode mode, std::unique_ptr<Connection> conn);

  private:
    Result<std::unique_ptr<Connection>> Acquire(TxMode mode);

    const std::string path_;
    const PoolOptions options_;
    const QueryCatalog catalog_;

    mutable std::mutex mu_;
    std::condition_variable released_;
    std::unique_ptr<Connection> writer_;                     // guarded by mu_; null while lent
    std::vector<std::unique_ptr<Connection>> idle_readers_;  // guarded by mu_
    int readers_open_ = 0;  // guarded by mu_; lent, idle or being opened
    PoolStats stats_;       // guarded by mu_; size and in_use are computed in Stats()
    int in_use_ = 0;        // guarded by mu_
};

// --- pool ---

Result<std::unique_ptr<Connection>> SqliteDatabase::Acquire(TxMode mode) {
    auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
    int max_readers = std::max(1, options_.max_connections);
    std::unique_lock lock(mu_);
    bool waited = false;
    std::unique_ptr<Connection> conn;
    while (!conn) {
        if (mode == TxMode::kWrite && writer_) {
            conn = std::move(writer_);
        } else if (mode == TxMode::kRead && !idle_readers_.empty()) {
            conn = std::move(idle_readers_.back());
            idle_readers_.pop_back();
        } else if (mode == TxMode::kRead && readers_open_ < max_readers) {
            ++readers_open_;  // reserve the slot, open without holding the lock
            lock.unlock();
            auto opened = Connection::Open(path_, Role::kReader, options_.busy_timeout);
            lock.lock();
            if (!opened) {
                --readers_open_;
                released_.notify_one();
                return Fail(opened.error());
            }
            conn = std::move(*opened);
        } else if (std::chrono::steady_clock::now() >= deadline) {
            ++stats_.timeouts;
            return Fail(Error::Unavailable("the database is busy; try again",
                                           fmt::format("sqlite: no free {} connection within {} ms",
                                                       mode == TxMode::kWrite ? "writer" : "reader",
                                                       options_.acquire_timeout.count())));
        } else {
            waited = true;
            released_.wait_until(lock, deadline);
        }
    }
    ++stats_.acquired;
    if (waited) ++stats_.waited;
    ++in_use_;
    return conn;
}

void SqliteDatabase::Release(TxMode mode, std::unique_ptr<Connection> conn) {
    {
        std::lock_guard lock(mu_);
        --in_use_;
        if (mode == TxMode::kWrite) {
            writer_ = std::move(conn);
        } else {
            idle_readers_.push_back(std::move(conn));
        }
    }
    // Writers and readers wait on the same condition; wake all so the right kind gets it.
    released_.notify_all();
}

PoolStats SqliteDatabase::Stats() const {
    std::lock_guard lock(mu_);
    PoolStats s = stats_;
    s.size = 1 + readers_open_;
    s.in_use = in_use_;
    return s;
}

// --- database ---

Result<std::unique_ptr<Transaction>> SqliteDatabase::Begin(TxMode mode) {
    auto conn = Acquire(mode);
    if (!conn) return Fail(conn.error());
    auto st = (*conn)->ExecScript(mode == TxMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
    if (!st) {
        Release(mode, std::move(*conn));
        return Fail(st.error());
    }
    return std::make_unique<SqliteTransaction>(*this, mode, std::move(*conn));
}

Status SqliteDatabase::PrepareCatalog() {
    auto conn = Acquire(TxMode::kWrite);
    if (!conn) return Fail(conn.error());
    Status result;
    for (const auto& [name, entry] : catalog_.entries()) {
        if (auto st = (*conn)->Prepare(name, entry.sql); !st) {
            auto e = st.error();
            e.message = fmt::format("{} (at {})", e.message, entry.where);
            result = Fail(std::move(e));
            break;
        }
    }
    Release(TxMode::kWrite, std::move(*conn));
    return result;
}

Status SqliteDatabase::Ping() {
    auto tx = Begin(TxMode::kRead);
    if (!tx) return Fail(tx.error());
    if (auto r = (*tx)->QuerySql("SELECT 1", {}); !r) return Fail(r.error());
    return {};
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

Status SqliteTransaction::ExecScript(std::string_view sql) {
    if (auto st = CheckOpen(); !st) return st;
    return conn_->ExecScript(sql);
}

Result<Rows> SqliteTransaction::QuerySql(std::string_view sql, std::span<const Value> params) {
    if (auto st = CheckOpen(); !st) return Fail(st.error());
    return conn_->RunSql(sql, params, nullptr);
}

Status SqliteTransaction::Commit() {
    if (auto st = CheckOpen(); !st) return st;
    auto st = conn_->ExecScript("COMMIT");
    Finish();  // rolls back if COMMIT failed and left the transaction open
    return st;
}

void SqliteTransaction::Finish() {
    if (!conn_) return;
    if (conn_->InTransaction()) (void)conn_->ExecScript("ROLLBACK");
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
    auto writer = Connection::Open(path, Role::kWriter, options.busy_timeout);
    if (!writer) return Fail(writer.error());
    return std::make_unique<SqliteDatabase>(path, options, std::move(catalog), std::move(*writer));
}

}  // namespace overture::storage::sqlite
