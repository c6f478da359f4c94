#pragma once
// The storage contract every backend (SQLite, PostgreSQL) implements.
//
// A Database is a pool of connections. All work happens in a Transaction obtained from
// Begin(); a Transaction that is destroyed without Commit() rolls back. Statements are named:
// the SQL text lives in sql/<dialect>/*.sql (see query_catalog.hpp) and code refers to it by
// name only, with values always bound as parameters. Parameters are written ?1, ?2 in SQLite
// files and $1, $2 in PostgreSQL files.
//
// Thread-safety: Database is thread-safe. A Transaction belongs to one thread at a time.
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "storage/value.hpp"

namespace overture::storage {

enum class Dialect { kSqlite, kPostgres };
std::string_view DialectName(Dialect d);  // "sqlite" or "postgres"

enum class TxMode {
    kRead,   // may run on any reader connection; writes fail
    kWrite,  // serialised with other writers on SQLite (BEGIN IMMEDIATE)
    // A write that changes tables (publishing the data model). On SQLite, foreign keys are not
    // enforced while it runs, so a table can be rebuilt, and are checked at Commit(), which
    // fails with kFailedPrecondition if a record would link to a missing one.
    kSchemaChange,
};

struct PoolStats {
    int size = 0;                // connections open
    int in_use = 0;              // connections lent out to transactions now
    std::uint64_t acquired = 0;  // transactions begun since start
    std::uint64_t waited = 0;    // of those, how many had to wait for a free connection
    std::uint64_t timeouts = 0;  // Begin() calls that gave up waiting
};

// A column of a bulk insert with the same value in every row (Transaction::BulkInsert).
struct FixedColumn {
    std::string column;
    Value value;
};

class Transaction {
  public:
    virtual ~Transaction() = default;

    // Runs the named statement and returns all its rows. Fails with kInternal for an unknown
    // name or a database error, kAlreadyExists for a unique-constraint violation, kUnavailable
    // when the connection is lost.
    virtual Result<Rows> Query(std::string_view name, std::span<const Value> params) = 0;
    Result<Rows> Query(std::string_view name, std::initializer_list<Value> params) {
        return Query(name, std::span<const Value>(params.begin(), params.size()));
    }

    // Runs the named statement and returns the number of rows it changed. Errors as Query().
    virtual Result<std::int64_t> Exec(std::string_view name, std::span<const Value> params) = 0;
    Result<std::int64_t> Exec(std::string_view name, std::initializer_list<Value> params) {
        return Exec(name, std::span<const Value>(params.begin(), params.size()));
    }

    // Runs the named statement once per parameter row, as one batch (PostgreSQL pipeline
    // mode; a loop over one prepared statement on SQLite). Returns the total rows changed; on
    // the first failure the whole transaction is unusable and must be dropped.
    virtual Result<std::int64_t> ExecBatch(std::string_view name,
                                           std::span<const std::vector<Value>> rows) = 0;

    // Appends `rows` to `table`, for bulk loads such as CSV imports of millions of rows. Each
    // row holds one value per entry of `columns`, in that order. `table` (unqualified) and
    // `columns` come from our code or the data model registry, never from input; they are
    // quoted here. SQLite reuses one prepared INSERT for every row; PostgreSQL streams
    // COPY ... FROM STDIN in text format, so text values load into date, timestamptz and other
    // columns as their input syntax ("2024-05-01", "2024-05-01T12:00:00.000Z").
    // Returns the number of rows written (0 for no rows, sending nothing). Fails with
    // kInvalidArgument, before anything is sent, when `columns` is empty or a row has another
    // width; otherwise fails like Query() (kAlreadyExists for a unique violation), and after
    // such a failure the transaction is unusable (Commit() fails) and must be dropped.
    // `fixed` columns get the same value in every row (audit fields, say): SQLite binds them
    // once per statement instead of once per row; COPY still sends them on every line.
    virtual Result<std::int64_t> BulkInsert(std::string_view table,
                                            std::span<const std::string> columns,
                                            std::span<const std::vector<Value>> rows,
                                            std::span<const FixedColumn> fixed) = 0;
    Result<std::int64_t> BulkInsert(std::string_view table, std::span<const std::string> columns,
                                    std::span<const std::vector<Value>> rows) {
        return BulkInsert(table, columns, rows, {});
    }

    // Storage-internal: runs SQL text written in our code (migrations, DDL), possibly several
    // statements. Never pass text that came from a user.
    virtual Status ExecScript(std::string_view sql) = 0;
    // Storage-internal: one statement of SQL text from our code with bound parameters.
    virtual Result<Rows> QuerySql(std::string_view sql, std::span<const Value> params) = 0;
    // Storage-internal: as QuerySql, for a statement that returns no rows; gives the number
    // of rows it changed.
    virtual Result<std::int64_t> ExecSql(std::string_view sql, std::span<const Value> params) = 0;

    // Commits. After a failed commit the transaction is rolled back.
    virtual Status Commit() = 0;
};

class Database {
  public:
    virtual ~Database() = default;

    virtual Dialect dialect() const = 0;

    // Takes a connection from the pool (waiting up to the pool's acquire timeout) and begins
    // a transaction. Fails with kUnavailable on timeout or when the database is unreachable.
    virtual Result<std::unique_ptr<Transaction>> Begin(TxMode mode) = 0;

    // Prepares every statement of the query catalog (after migrations, so the tables exist),
    // failing with the name and the database's message for the first one that does not
    // prepare. Query() by name works only after this succeeded.
    virtual Status PrepareCatalog() = 0;

    // A cheap round trip to the database, for /readyz.
    virtual Status Ping() = 0;

    virtual PoolStats Stats() const = 0;
};

struct PoolOptions {
    int max_connections = 8;  // readers for SQLite (plus one writer); total for PostgreSQL
    std::chrono::milliseconds acquire_timeout{5000};
    std::chrono::milliseconds busy_timeout{5000};  // SQLite busy_timeout
};

// Runs `fn(tx)` in a write transaction and commits it when fn succeeds. fn returns Result<T>.
template <typename Fn>
auto WithWrite(Database& db, Fn&& fn) -> decltype(fn(std::declval<Transaction&>())) {
    auto tx = db.Begin(TxMode::kWrite);
    if (!tx) return Fail(std::move(tx.error()));
    auto result = fn(**tx);
    if (!result) return result;
    if (auto st = (*tx)->Commit(); !st) return Fail(std::move(st.error()));
    return result;
}

// Runs `fn(tx)` in a read transaction; nothing to commit.
template <typename Fn>
auto WithRead(Database& db, Fn&& fn) -> decltype(fn(std::declval<Transaction&>())) {
    auto tx = db.Begin(TxMode::kRead);
    if (!tx) return Fail(std::move(tx.error()));
    return fn(**tx);
}

}  // namespace overture::storage
