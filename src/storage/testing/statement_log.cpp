// Statement logs of the engines for tests (statement_log.hpp): SQLite's trace hook installed
// by an auto-extension, PostgreSQL's log_statement output read from the server log.
#include "storage/testing/statement_log.hpp"

#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>

#include "storage/sql_text.hpp"

namespace overture::storage::testing {

namespace {

struct SqliteLog {
    std::mutex mu;
    bool recording = false;          // guarded by mu
    std::vector<std::string> lines;  // guarded by mu
};

SqliteLog& Log() {
    static SqliteLog log;
    return log;
}

int Trace(unsigned type, void* /*context*/, void* /*stmt*/, void* text) {
    if (type != SQLITE_TRACE_STMT || text == nullptr) return 0;
    SqliteLog& log = Log();
    std::lock_guard lock(log.mu);
    if (log.recording) log.lines.emplace_back(static_cast<const char*>(text));
    return 0;
}

int InstallTrace(sqlite3* db, const char** /*error*/, const void* /*api*/) {
    sqlite3_trace_v2(db, SQLITE_TRACE_STMT, Trace, nullptr);
    return SQLITE_OK;
}

}  // namespace

void StartSqliteStatementLog() {
    // Registering the same entry point twice is a no-op.
    sqlite3_auto_extension(reinterpret_cast<void (*)()>(InstallTrace));
    SqliteLog& log = Log();
    std::lock_guard lock(log.mu);
    log.lines.clear();
    log.recording = true;
}

std::vector<std::string> StopSqliteStatementLog() {
    SqliteLog& log = Log();
    std::lock_guard lock(log.mu);
    log.recording = false;
    return std::move(log.lines);
}

Result<std::string> PostgresLogPath() {
    const char* path = std::getenv("OVERTURE_TEST_POSTGRES_LOG");
    if (path == nullptr || *path == '\0') {
        return Fail(Error::FailedPrecondition(
            "OVERTURE_TEST_POSTGRES_LOG is not set, so the PostgreSQL statement log cannot be "
            "read: run the tests through scripts/with-postgres.sh, which sets it"));
    }
    return std::string(path);
}

Result<std::uintmax_t> PostgresLogSize(const std::string& path) {
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (ec) return Fail(Error::Internal(path + ": " + ec.message()));
    return size;
}

Status EnablePostgresStatementLog(Database& db) {
    auto name =
        WithRead(db, [](Transaction& tx) { return tx.QuerySql("SELECT current_database()", {}); });
    if (!name) return Fail(std::move(name.error()));
    auto tx = db.Begin(TxMode::kWrite);
    if (!tx) return Fail(std::move(tx.error()));
    auto st = (*tx)->ExecScript("ALTER DATABASE " + QuoteIdent(AsString(name->rows.at(0).at(0))) +
                                " SET log_statement = 'all'");
    if (!st) return st;
    return (*tx)->Commit();
}

Result<std::vector<std::string>> PostgresStatements(const std::string& path, std::uintmax_t offset,
                                                    std::int64_t pid) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Fail(Error::Internal("cannot open " + path));
    in.seekg(static_cast<std::streamoff>(offset));
    // "2026-11-28 22:10:01.123 UTC [12345] LOG:  statement: BEGIN READ ONLY"; a line without
    // the prefix continues the entry above it (a statement or parameter spanning lines).
    static const std::regex kEntry(
        R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \S+ \[(\d+)\] ([A-Z]+):  (.*)$)");
    struct Entry {
        std::int64_t pid;
        std::string level, message;
    };
    std::vector<Entry> entries;
    std::string line;
    while (std::getline(in, line)) {
        std::smatch m;
        if (std::regex_match(line, m, kEntry)) {
            entries.push_back({std::stoll(m[2].str()), m[3].str(), m[4].str()});
        } else if (!entries.empty()) {
            entries.back().message += "\n" + line;
        }
    }
    std::vector<std::string> out;
    for (const auto& e : entries) {
        if (e.pid != pid || e.level != "LOG") continue;
        if (e.message.starts_with("statement: ")) {
            out.push_back(e.message.substr(11));
        } else if (e.message.starts_with("execute ")) {
            auto colon = e.message.find(": ");
            out.push_back(colon == std::string::npos ? e.message : e.message.substr(colon + 2));
        }
    }
    return out;
}

}  // namespace overture::storage::testing
