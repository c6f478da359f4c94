#pragma once
// One SQLite connection and its cache of prepared statements. Internal to the SQLite backend.
//
// Thread-safety: none. The pool lends a connection to one transaction at a time.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "storage/database.hpp"
#include "storage/value.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace overture::storage::sqlite {

enum class Role { kWriter, kReader };

class Connection {
  public:
    // Opens `path` with the pragmas of the backend; a kReader connection is query_only and
    // does not create the file. Fails with kUnavailable naming the path.
    static Result<std::unique_ptr<Connection>> Open(const std::string& path, Role role,
                                                    std::chrono::milliseconds busy_timeout);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs one or more statements of our own SQL text (sqlite3_exec).
    Status ExecScript(std::string_view sql);
    // Prepares `sql` under `name` unless this connection already has it. The error names the
    // statement and carries SQLite's message.
    Status Prepare(const std::string& name, const std::string& sql);
    // Runs the statement prepared as `name` (preparing `sql` first if needed). When `changes`
    // is not null it receives the number of rows the statement changed.
    Result<Rows> RunNamed(const std::string& name, const std::string& sql,
                          std::span<const Value> params, std::int64_t* changes);
    // Prepares, runs and finalises one statement of our own SQL text.
    Result<Rows> RunSql(std::string_view sql, std::span<const Value> params, std::int64_t* changes);
    // Inserts `rows` into `table` (names from our code; quoted here), each row one value per
    // column, in order (the caller checks that there are columns and the widths: CheckBulkShape
    // in SqliteTransaction::BulkInsert), with multi-row INSERT statements of up to
    // kRowsPerInsert rows: a statement per row would pay a statement's start (cursors opened,
    // AUTOINCREMENT's sqlite_sequence read and written back) for every row. Returns the rows
    // changed, or the first error (the statements before it stay written).
    static constexpr std::size_t kRowsPerInsert = 64;
    // `fixed` columns come first and have the same value in every row: bound once per
    // statement.
    Result<std::int64_t> InsertRows(std::string_view table, std::span<const std::string> columns,
                                    std::span<const std::vector<Value>> rows,
                                    std::span<const FixedColumn> fixed = {});
    // True while a transaction is open on this connection.
    bool InTransaction() const;

  private:
    explicit Connection(sqlite3* db) : db_(db) {}

    struct StmtDeleter {
        void operator()(sqlite3_stmt* stmt) const;
    };
    using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

    Result<Rows> Run(sqlite3_stmt* stmt, std::string_view what, std::span<const Value> params,
                     std::int64_t* changes);

    sqlite3* db_;
    std::map<std::string, Stmt, std::less<>> statements_;
};

}  // namespace overture::storage::sqlite
