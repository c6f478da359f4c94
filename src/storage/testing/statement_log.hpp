#pragma once
// Records what the database engines themselves execute, for tests that must prove which SQL
// statements ran (the query language's injection test). Test-only: nothing here is linked into
// the server, and the storage backends are not changed.
//
// - SQLite: the engine's own trace. StartSqliteStatementLog() registers an auto-extension
//   (sqlite3_auto_extension) that installs sqlite3_trace_v2(SQLITE_TRACE_STMT) on every SQLite
//   connection opened afterwards, in this process, by any pool. SQLITE_TRACE_STMT fires each
//   time a statement starts running (also for sqlite3_exec() scripts and inside triggers), with
//   the statement's text as prepared, i.e. with ?N placeholders, never the bound values.
// - PostgreSQL: the server's own log. The throwaway server of scripts/with-postgres.sh writes
//   its log to the file named by OVERTURE_TEST_POSTGRES_LOG; EnablePostgresStatementLog() turns
//   log_statement = 'all' on for one database (ALTER DATABASE, for sessions opened
//   afterwards), and PostgresStatements() reads back the statements one server process (one
//   connection, by its pid in the default log_line_prefix '%m [%p] ') logged since an offset:
//   simple-protocol statements ("statement: BEGIN") and extended-protocol executions
//   ("execute <unnamed>: SELECT ...").
//
// Thread-safety: the SQLite log is guarded by a mutex; the PostgreSQL functions are pure
// functions of the log file.
#include <cstdint>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "storage/database.hpp"

namespace overture::storage::testing {

// Starts (or restarts, clearing it) recording the statements of SQLite connections opened from
// now on. Idempotent registration; recording stays on until StopSqliteStatementLog().
void StartSqliteStatementLog();
// Stops recording and returns the statements recorded since the start, in order.
std::vector<std::string> StopSqliteStatementLog();

// The server log file of scripts/with-postgres.sh, or an error saying how to get one.
Result<std::string> PostgresLogPath();
// The current size of the log file, the offset to read statements from.
Result<std::uintmax_t> PostgresLogSize(const std::string& path);
// Sets log_statement = 'all' on the database `db` is connected to (sessions opened afterwards
// log every statement). Needs a superuser, as the test server's user is.
Status EnablePostgresStatementLog(Database& db);
// The statements logged by server process `pid` after `offset`, in order.
Result<std::vector<std::string>> PostgresStatements(const std::string& path, std::uintmax_t offset,
                                                    std::int64_t pid);

}  // namespace overture::storage::testing
