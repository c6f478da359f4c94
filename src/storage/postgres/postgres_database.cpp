#include "storage/postgres/postgres_database.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "storage/postgres/connection.hpp"

namespace overture::storage::postgres {

namespace {

class PostgresDatabase;

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
    Status ExecScript(std::string_view sql) override;
    Result<Rows> QuerySql(std::string_view sql, std::span<const Value> params) override;
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
        : url_(std::move(url)), options_(options), catalog_(std::move(catalog)) {}

    Dialect dialect() const override { return Dialect::kPostgres; }
    Result<std::unique_ptr<Transaction>> Begin(TxMode mode) override;
    Status PrepareCatalog() override;
    Status Ping() override;
    PoolStats Stats() const override;

    const QueryCatalog& catalog() const { return catalog_; }
    // Opens the first connection, so that Open() fails on a bad URL.
    Status Start();
    // Takes back a connection; drops it when lost or not cleanly idle.
    void Release(std::unique_ptr<Connection> conn);

  private:
    Result<std::unique_ptr<Connection>> Acquire();
    Result<std::unique_ptr<Connection>> Connect();

    const std::string url_;
    const PoolOptions options_;
    const QueryCatalog catalog_;
    std::atomic<bool> catalog_ready_{false};  // PrepareCatalog() succeeded

    mutable std::mutex mu_;
    std::condition_variable released_;
    std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mu_
    int open_ = 0;                                   // guarded by mu_; lent, idle or being opened
    int in_use_ = 0;                                 // guarded by mu_
    PoolStats stats_;  // guarded by mu_; size and in_use are computed in Stats()
};

// --- pool ---

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

Status PostgresDatabase::Start() {
    {
        std::lock_guard lock(mu_);
        ++open_;
    }
    auto conn = Connect();
    std::lock_guard lock(mu_);
    if (!conn) {
        --open_;
        return Fail(conn.error());
    }
    idle_.push_back(std::move(*conn));
    return {};
}

Result<std::unique_ptr<Connection>> PostgresDatabase::Acquire() {
    auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
    int max_open = std::max(1, options_.max_connections);
    std::unique_lock lock(mu_);
    bool waited = false;
    std::unique_ptr<Connection> conn;
    while (!conn) {
        if (!idle_.empty()) {
            conn = std::move(idle_.back());
            idle_.pop_back();
        } else if (open_ < max_open) {
            ++open_;  // reserve the slot, connect without holding the lock
            lock.unlock();
            auto opened = Connect();
            lock.lock();
            if (!opened) {
                --open_;
                released_.notify_one();
                return Fail(opened.error());
            }
            conn = std::move(*opened);
        } else if (std::chrono::steady_clock::now() >= deadline) {
            ++stats_.timeouts;
            return Fail(Error::Unavailable("the database is busy; try again",
                                           fmt::format("postgres: no free connection within {} ms",
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

void PostgresDatabase::Release(std::unique_ptr<Connection> conn) {
    bool keep = !conn->Broken() && conn->Idle();
    std::unique_ptr<Connection> dropped;  // closed outside the lock
    {
        std::lock_guard lock(mu_);
        --in_use_;
        if (keep) {
            idle_.push_back(std::move(conn));
        } else {
            --open_;
            dropped = std::move(conn);
        }
    }
    released_.notify_one();
}

PoolStats PostgresDatabase::Stats() const {
    std::lock_guard lock(mu_);
    PoolStats s = stats_;
    s.size = open_;
    s.in_use = in_use_;
    return s;
}

// --- database ---

Result<std::unique_ptr<Transaction>> PostgresDatabase::Begin(TxMode mode) {
    auto conn = Acquire();
    if (!conn) return Fail(conn.error());
    auto st = (*conn)->ExecScript(mode == TxMode::kWrite ? "BEGIN" : "BEGIN READ ONLY");
    if (!st) {
        Release(std::move(*conn));
        return Fail(st.error());
    }
    return std::make_unique<PostgresTransaction>(*this, std::move(*conn));
}

Status PostgresDatabase::PrepareCatalog() {
    auto conn = Acquire();
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
    Release(std::move(*conn));
    if (result) catalog_ready_.store(true);
    return result;
}

Status PostgresDatabase::Ping() {
    auto tx = Begin(TxMode::kRead);
    if (!tx) return Fail(tx.error());
    if (auto r = (*tx)->QuerySql("SELECT 1", {}); !r) return Fail(r.error());
    return {};
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

Status PostgresTransaction::ExecScript(std::string_view sql) {
    if (auto st = CheckOpen(); !st) return st;
    if (auto r = conn_->ExecScript(sql); !r) return Fail(r.error());
    return {};
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
