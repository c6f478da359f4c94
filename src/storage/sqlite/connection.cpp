#include "storage/sqlite/connection.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <mutex>

#include "common/strings.hpp"
#include "storage/sql_text.hpp"

namespace overture::storage::sqlite {

namespace {

// Maps a failed call to the storage error codes. `what` names the statement for the log.
Error ErrorFrom(sqlite3* db, int rc, std::string_view what) {
    auto detail = fmt::format("sqlite: {}: {} ({})", what, sqlite3_errmsg(db), sqlite3_errstr(rc));
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Error{ErrorCode::kAlreadyExists, "already exists", std::move(detail), {}};
    }
    int primary = rc & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
        return Error::Unavailable("the database is busy; try again", std::move(detail));
    }
    // Limits of SQLite's parser (a fixed LALR stack of about 100 entries and an expression
    // depth of 1000): a deeply nested filter can pass our own limits and still hit them.
    std::string_view message = sqlite3_errmsg(db);
    if (primary == SQLITE_ERROR &&
        (message.find("parser stack overflow") != std::string_view::npos ||
         message.find("Expression tree is too large") != std::string_view::npos)) {
        Error e = Error::InvalidArgument(
            "the query is nested too deeply for SQLite; use fewer nested groups (for example "
            "a and (b and c) is a and b and c), or split it into audiences");
        e.detail = std::move(detail);
        return e;
    }
    return Error::Internal(std::move(detail));
}

// `text_lifetime` is SQLITE_TRANSIENT (SQLite copies text) unless the caller keeps the value
// alive and unchanged until the statement is reset (SQLITE_STATIC).
int Bind(sqlite3_stmt* stmt, int index, const Value& value,
         sqlite3_destructor_type text_lifetime = SQLITE_TRANSIENT) {
    if (auto p = std::get_if<std::int64_t>(&value)) return sqlite3_bind_int64(stmt, index, *p);
    if (auto p = std::get_if<double>(&value)) return sqlite3_bind_double(stmt, index, *p);
    if (auto p = std::get_if<bool>(&value)) return sqlite3_bind_int64(stmt, index, *p ? 1 : 0);
    if (auto p = std::get_if<std::string>(&value)) {
        return sqlite3_bind_text64(stmt, index, p->data(), p->size(), text_lifetime, SQLITE_UTF8);
    }
    return sqlite3_bind_null(stmt, index);
}

Value Cell(sqlite3_stmt* stmt, int col) {
    switch (sqlite3_column_type(stmt, col)) {
        case SQLITE_INTEGER:
            return std::int64_t{sqlite3_column_int64(stmt, col)};
        case SQLITE_FLOAT:
            return sqlite3_column_double(stmt, col);
        case SQLITE_NULL:
            return std::monostate{};
        default: {  // TEXT or BLOB; ask for the bytes after the pointer, as SQLite requires
            const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt, col));
            auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt, col));
            return data == nullptr ? std::string() : std::string(data, size);
        }
    }
}

}  // namespace

void Connection::StmtDeleter::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, Role role,
                                                     std::chrono::milliseconds busy_timeout) {
    // SQLite keeps memory statistics behind a global mutex that every allocation of every
    // connection takes; nothing here reads them. Only possible before SQLite initialises.
    static std::once_flag no_memstatus;
    std::call_once(no_memstatus, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (role == Role::kWriter) flags |= SQLITE_OPEN_CREATE;
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    // Owned from here on, even when opening failed (SQLite hands out a handle for the message).
    std::unique_ptr<Connection> conn(new Connection(raw));
    if (rc != SQLITE_OK) {
        return Fail(Error::Unavailable(
            fmt::format("cannot open the SQLite database {}", path),
            fmt::format("sqlite: {}", raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc))));
    }
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, static_cast<int>(busy_timeout.count()));
    std::string pragmas = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
    // The writer's page cache: 64 MiB instead of SQLite's default 2 MB, which random index
    // inserts (tracking events by profile, uniques) outgrow at a few hundred thousand rows and
    // then re-read every page from the kernel's cache. Pages are allocated as used, so a small
    // database costs no more; readers keep the default (there are up to max_connections).
    // A checkpoint every 16,384 WAL pages (64 MiB) instead of 1,000: a page that several
    // transactions rewrite in between (the tracking log's profile index) is copied back once.
    pragmas += role == Role::kWriter ? " PRAGMA journal_mode=WAL; PRAGMA cache_size=-65536;"
                                       " PRAGMA wal_autocheckpoint=16384;"
                                     : " PRAGMA query_only=ON;";
    if (auto st = conn->ExecScript(pragmas); !st) {
        auto e = st.error();
        return Fail(Error::Unavailable(fmt::format("cannot set up the SQLite database {}", path),
                                       e.detail));
    }
    return conn;
}

Connection::~Connection() {
    statements_.clear();  // finalise before closing
    sqlite3_close_v2(db_);
}

Status Connection::ExecScript(std::string_view sql) {
    char* message = nullptr;
    int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &message);
    if (rc == SQLITE_OK) return {};
    auto e = ErrorFrom(db_, rc, "script");
    if (message != nullptr) {
        e.detail = fmt::format("sqlite: script: {} ({})", message, sqlite3_errstr(rc));
        sqlite3_free(message);
    }
    return Fail(std::move(e));
}

Status Connection::Prepare(const std::string& name, const std::string& sql) {
    if (statements_.contains(name)) return {};
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    Stmt stmt(raw);
    if (rc != SQLITE_OK) {
        auto text =
            fmt::format("SQL statement '{}' does not prepare: {}", name, sqlite3_errmsg(db_));
        return Fail(Error{ErrorCode::kInternal, text, "sqlite: " + text, {}});
    }
    if (!stmt) {
        auto text = fmt::format("SQL statement '{}' is empty", name);
        return Fail(Error{ErrorCode::kInternal, text, text, {}});
    }
    statements_.emplace(name, std::move(stmt));
    return {};
}

Result<Rows> Connection::RunNamed(const std::string& name, const std::string& sql,
                                  std::span<const Value> params, std::int64_t* changes) {
    if (auto st = Prepare(name, sql); !st) return Fail(st.error());
    return Run(statements_.find(name)->second.get(), name, params, changes);
}

Result<Rows> Connection::RunSql(std::string_view sql, std::span<const Value> params,
                                std::int64_t* changes) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
    Stmt stmt(raw);
    if (rc != SQLITE_OK) return Fail(ErrorFrom(db_, rc, sql));
    if (!stmt) return Fail(Error::Internal("sqlite: empty SQL text"));
    return Run(stmt.get(), sql, params, changes);
}

Result<std::int64_t> Connection::InsertRows(std::string_view table,
                                            std::span<const std::string> columns,
                                            std::span<const std::vector<Value>> rows,
                                            std::span<const FixedColumn> fixed) {
    const std::size_t width = columns.size();
    std::string head = fmt::format("INSERT INTO {} (", QuoteIdent(table));
    for (std::size_t i = 0; i < fixed.size(); ++i) head += QuoteIdent(fixed[i].column) + ", ";
    for (std::size_t i = 0; i < width; ++i) head += (i > 0 ? ", " : "") + QuoteIdent(columns[i]);
    head += ") VALUES ";
    // ?1..?k are the fixed values, in every row; then each row's own, numbered on.
    const std::size_t k = fixed.size();
    auto row_sql = [&](std::size_t r) {
        std::string out = "(";
        for (std::size_t i = 0; i < k; ++i) out += fmt::format("?{}, ", i + 1);
        for (std::size_t i = 0; i < width; ++i) {
            out += fmt::format("{}?{}", i > 0 ? ", " : "", k + r * width + i + 1);
        }
        return out + ")";
    };
    // At most as many parameters as this SQLite allows in one statement.
    const auto max_params =
        static_cast<std::size_t>(std::max(1, sqlite3_limit(db_, SQLITE_LIMIT_VARIABLE_NUMBER, -1)));
    const std::size_t per_statement = std::max<std::size_t>(
        1, std::min<std::size_t>(kRowsPerInsert, (max_params - std::min(max_params, k)) / width));

    Stmt full;  // the statement of per_statement rows, prepared once
    std::int64_t total = 0;
    for (std::size_t done = 0; done < rows.size();) {
        const std::size_t n = std::min(per_statement, rows.size() - done);
        Stmt partial;
        Stmt& stmt = n == per_statement ? full : partial;
        if (!stmt) {
            std::string sql = head;
            for (std::size_t r = 0; r < n; ++r) sql += (r > 0 ? ", " : "") + row_sql(r);
            sqlite3_stmt* raw = nullptr;
            int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                        SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
            stmt.reset(raw);
            if (rc != SQLITE_OK) return Fail(ErrorFrom(db_, rc, sql));
            // Bindings outlive sqlite3_reset: the fixed values are bound once. `fixed` outlives
            // the statement, so SQLite need not copy their text either.
            for (std::size_t i = 0; i < k; ++i) {
                rc = Bind(stmt.get(), static_cast<int>(i + 1), fixed[i].value, SQLITE_STATIC);
                if (rc != SQLITE_OK) return Fail(ErrorFrom(db_, rc, head));
            }
        }
        int index = static_cast<int>(k) + 1;
        for (std::size_t r = done; r < done + n; ++r) {
            // The rows outlive the step, so SQLite need not copy the text.
            for (const auto& value : rows[r]) {
                if (int rc = Bind(stmt.get(), index++, value, SQLITE_STATIC); rc != SQLITE_OK) {
                    return Fail(ErrorFrom(db_, rc, head));
                }
            }
        }
        int rc = sqlite3_step(stmt.get());
        if (rc != SQLITE_DONE) return Fail(ErrorFrom(db_, rc, head));
        total += sqlite3_changes64(db_);
        sqlite3_reset(stmt.get());
        done += n;
    }
    return total;
}

Result<Rows> Connection::Run(sqlite3_stmt* stmt, std::string_view what,
                             std::span<const Value> params, std::int64_t* changes) {
    struct ResetOnExit {
        sqlite3_stmt* stmt;
        ~ResetOnExit() {
            sqlite3_reset(stmt);
            sqlite3_clear_bindings(stmt);
        }
    } reset{stmt};
    int expected = sqlite3_bind_parameter_count(stmt);
    if (static_cast<std::size_t>(expected) != params.size()) {
        return Fail(Error::Internal(fmt::format("sqlite: {}: expects {} parameters, got {}", what,
                                                expected, params.size())));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (int rc = Bind(stmt, static_cast<int>(i + 1), params[i]); rc != SQLITE_OK) {
            return Fail(ErrorFrom(db_, rc, what));
        }
    }
    Rows rows;
    int columns = sqlite3_column_count(stmt);
    for (int c = 0; c < columns; ++c) rows.columns.push_back(ToLower(sqlite3_column_name(stmt, c)));
    while (true) {
        int rc = sqlite3_step(stmt);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) return Fail(ErrorFrom(db_, rc, what));
        auto& row = rows.rows.emplace_back();
        row.reserve(static_cast<std::size_t>(columns));
        for (int c = 0; c < columns; ++c) row.push_back(Cell(stmt, c));
    }
    if (changes != nullptr) *changes = sqlite3_stmt_readonly(stmt) ? 0 : sqlite3_changes64(db_);
    return rows;
}

bool Connection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

}  // namespace overture::storage::sqlite
