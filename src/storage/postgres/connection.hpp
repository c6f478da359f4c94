#pragma once
// One libpq connection and the names of the statements prepared on it. Internal to the
// PostgreSQL backend.
//
// Thread-safety: none. The pool lends a connection to one transaction at a time.
#include <cstdint>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "storage/value.hpp"

struct pg_conn;

namespace overture::storage::postgres {

class Connection {
  public:
    // Connects to a libpq URI. Fails with kUnavailable naming host, port and database.
    static Result<std::unique_ptr<Connection>> Connect(const std::string& url);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // True when the connection is lost or left in a state the pool must not reuse.
    bool Broken() const;
    // True when no transaction is open (or aborted) on the connection.
    bool Idle() const;

    // Runs our own SQL text, possibly several statements (simple query protocol). Returns the
    // command tag of the last one ("COMMIT", "ROLLBACK", ...).
    Result<std::string> ExecScript(std::string_view sql);
    // Prepares `sql` as `name` unless this connection already has it. The error names the
    // statement and carries the server's message.
    Status Prepare(const std::string& name, const std::string& sql);
    // Runs the statement prepared as `name` (preparing `sql` first if needed). When
    // `changes` is not null it receives the number of rows changed.
    Result<Rows> RunPrepared(const std::string& name, const std::string& sql,
                             std::span<const Value> params, std::int64_t* changes);
    // Runs one statement of our own SQL text with parameters (unnamed statement).
    Result<Rows> RunSql(std::string_view sql, std::span<const Value> params, std::int64_t* changes);
    // Runs `name` once per row in pipeline mode; returns the total rows changed or the first
    // error (after which the open transaction is aborted).
    Result<std::int64_t> RunBatch(const std::string& name, const std::string& sql,
                                  std::span<const std::vector<Value>> rows);
    // Runs `sql`, our own COPY ... FROM STDIN (FORMAT text), and streams `rows` to it (each
    // row one value per column of the COPY) in chunks of about 256 KiB. Returns the rows
    // copied, or the error, after which the open transaction is aborted. A COPY left
    // unfinished (lost connection, failed send) marks the connection broken.
    Result<std::int64_t> CopyIn(const std::string& sql, std::span<const std::vector<Value>> rows,
                                std::span<const Value> leading = {});

  private:
    explicit Connection(pg_conn* conn) : conn_(conn) {}
    Status DrainPipeline(const std::string& name, std::int64_t& total);

    pg_conn* conn_;
    bool broken_ = false;  // set when a pipeline or a COPY could not be finished cleanly
    std::set<std::string, std::less<>> prepared_;
};

}  // namespace overture::storage::postgres
