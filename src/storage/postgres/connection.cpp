#include "storage/postgres/connection.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>

#include "common/strings.hpp"

namespace overture::storage::postgres {

namespace {

// Type OIDs from pg_type.h (stable across server versions).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

// Statements per pipeline sync, so that neither side's socket buffer fills while the other
// is not reading.
constexpr std::size_t kPipelineChunk = 500;

// Bytes of COPY data per PQputCopyData call: large enough that the per-call cost vanishes,
// small enough that memory stays flat however many rows a load has.
constexpr std::size_t kCopyChunk = 256 * 1024;

struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

std::string TrimmedMessage(const char* text) {
    return std::string(Trim(text == nullptr ? std::string_view() : std::string_view(text)));
}

// Maps a failed call to the storage error codes; `res` may be null (the message is then the
// connection's). `what` names the statement for the log.
Error ErrorFrom(PGconn* conn, const PGresult* res, std::string_view what) {
    std::string message = TrimmedMessage(res ? PQresultErrorMessage(res) : nullptr);
    if (message.empty()) message = TrimmedMessage(PQerrorMessage(conn));
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string_view sqlstate = state ? state : "";
    auto detail = fmt::format("postgres: {}: {}{}{}", what, message,
                              sqlstate.empty() ? "" : " SQLSTATE ", sqlstate);
    if (PQstatus(conn) == CONNECTION_BAD) {
        return Error::Unavailable("the database cannot be reached; try again", std::move(detail));
    }
    if (sqlstate == "23505") {
        return Error{ErrorCode::kAlreadyExists, "already exists", std::move(detail), {}};
    }
    if (sqlstate == "40001" || sqlstate == "40P01") {
        return Error::Unavailable("the database is busy; try again", std::move(detail));
    }
    // 54001 statement_too_complex (stack depth limit exceeded), 54000 program_limit_exceeded.
    if (sqlstate == "54001" || sqlstate == "54000") {
        Error e = Error::InvalidArgument(
            "the query is too complex for PostgreSQL; use fewer nested groups, or split it "
            "into audiences");
        e.detail = std::move(detail);
        return e;
    }
    return Error::Internal(std::move(detail));
}

// Parameters in text format; `values` points into `texts`.
struct TextParams {
    std::vector<std::string> texts;
    std::vector<const char*> values;

    explicit TextParams(std::span<const Value> params) {
        texts.reserve(params.size());
        values.reserve(params.size());
        for (const auto& p : params) {
            if (IsNull(p)) {
                values.push_back(nullptr);
                continue;
            }
            texts.push_back(Text(p));
            values.push_back(texts.back().c_str());
        }
    }
    int size() const { return static_cast<int>(values.size()); }

    static std::string Text(const Value& v) {
        if (auto p = std::get_if<bool>(&v)) return *p ? "t" : "f";
        if (auto p = std::get_if<std::int64_t>(&v)) return std::to_string(*p);
        if (auto p = std::get_if<double>(&v)) {
            if (std::isnan(*p)) return "NaN";
            if (std::isinf(*p)) return *p > 0 ? "Infinity" : "-Infinity";
            return fmt::format("{}", *p);  // shortest text that reads back to the same double
        }
        return std::get<std::string>(v);
    }
};

// Appends `text` to a COPY text-format field: backslash, tab (the delimiter), newline and
// carriage return are escaped; every other byte, UTF-8 included, goes as it is.
void AppendCopyText(std::string& out, std::string_view text) {
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char escaped = 0;
        switch (text[i]) {
            case '\\':
                escaped = '\\';
                break;
            case '\t':
                escaped = 't';
                break;
            case '\n':
                escaped = 'n';
                break;
            case '\r':
                escaped = 'r';
                break;
            default:
                continue;
        }
        out.append(text.substr(start, i - start));
        out.push_back('\\');
        out.push_back(escaped);
        start = i + 1;
    }
    out.append(text.substr(start));
}

// Appends one value as a COPY text-format field: NULL as \N, booleans t/f, doubles as the
// shortest text that reads back to the same double (full precision).
void AppendCopyField(std::string& out, const Value& v) {
    char number[32];
    if (IsNull(v)) {
        out += "\\N";
    } else if (auto p = std::get_if<std::string>(&v)) {
        AppendCopyText(out, *p);
    } else if (auto p = std::get_if<bool>(&v)) {
        out.push_back(*p ? 't' : 'f');
    } else if (auto p = std::get_if<std::int64_t>(&v)) {
        auto end = std::to_chars(number, number + sizeof number, *p).ptr;
        out.append(number, end);
    } else {
        double d = std::get<double>(v);
        if (std::isnan(d)) {
            out += "NaN";
        } else if (std::isinf(d)) {
            out += d > 0 ? "Infinity" : "-Infinity";
        } else {
            auto end = std::to_chars(number, number + sizeof number, d).ptr;
            out.append(number, end);
        }
    }
}

Value Cell(const PGresult* res, int row, int col) {
    if (PQgetisnull(res, row, col)) return std::monostate{};
    const char* text = PQgetvalue(res, row, col);
    auto size = static_cast<std::size_t>(PQgetlength(res, row, col));
    switch (PQftype(res, col)) {
        case kBoolOid:
            return size > 0 && text[0] == 't';
        case kInt2Oid:
        case kInt4Oid:
        case kInt8Oid:
        case kOidOid: {
            std::int64_t out = 0;
            std::from_chars(text, text + size, out);
            return out;
        }
        case kFloat4Oid:
        case kFloat8Oid:
        case kNumericOid: {
            double out = 0;
            std::from_chars(text, text + size, out);
            return out;
        }
        default:
            return std::string(text, size);
    }
}

std::int64_t CommandRows(PGresult* res) {
    const char* text = PQcmdTuples(res);
    std::int64_t out = 0;
    if (text != nullptr) std::from_chars(text, text + std::strlen(text), out);
    return out;
}

// Checks a result and turns it into Rows.
Result<Rows> Collect(PGconn* conn, ResultPtr res, std::string_view what, std::int64_t* changes) {
    auto status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        return Fail(ErrorFrom(conn, res.get(), what));
    }
    Rows rows;
    int columns = PQnfields(res.get());
    int count = PQntuples(res.get());
    for (int c = 0; c < columns; ++c) rows.columns.push_back(ToLower(PQfname(res.get(), c)));
    rows.rows.reserve(static_cast<std::size_t>(count));
    for (int r = 0; r < count; ++r) {
        auto& row = rows.rows.emplace_back();
        row.reserve(static_cast<std::size_t>(columns));
        for (int c = 0; c < columns; ++c) row.push_back(Cell(res.get(), r, c));
    }
    if (changes != nullptr) *changes = CommandRows(res.get());
    return rows;
}

void IgnoreNotice(void*, const char*) {}

// "host:port/db" of a URI for messages, never the password.
std::string Describe(const std::string& url) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
    if (options == nullptr) {
        PQfreemem(error);
        return "(malformed URL)";
    }
    std::string host = "localhost", port = "5432", db;
    for (auto* o = options; o->keyword != nullptr; ++o) {
        if (o->val == nullptr) continue;
        std::string_view key = o->keyword;
        if (key == "host" || key == "hostaddr") host = o->val;
        if (key == "port") port = o->val;
        if (key == "dbname") db = o->val;
    }
    PQconninfoFree(options);
    return fmt::format("{}:{}/{}", host, port, db);
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::Connect(const std::string& url) {
    // The URL comes last so that its own settings win over these defaults.
    const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {"10", "overture", url.c_str(), nullptr};
    std::unique_ptr<Connection> conn(new Connection(PQconnectdbParams(keys, values, 1)));
    if (conn->conn_ == nullptr || PQstatus(conn->conn_) != CONNECTION_OK) {
        return Fail(Error::Unavailable(
            fmt::format("cannot connect to the PostgreSQL database {}", Describe(url)),
            fmt::format("postgres: {}",
                        conn->conn_ ? TrimmedMessage(PQerrorMessage(conn->conn_)) : "no memory")));
    }
    PQsetNoticeProcessor(conn->conn_, IgnoreNotice, nullptr);
    if (PQsetClientEncoding(conn->conn_, "UTF8") != 0) {
        return Fail(Error::Unavailable("cannot set the PostgreSQL client encoding to UTF8",
                                       TrimmedMessage(PQerrorMessage(conn->conn_))));
    }
    return conn;
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::Broken() const { return broken_ || PQstatus(conn_) != CONNECTION_OK; }

bool Connection::Idle() const { return PQtransactionStatus(conn_) == PQTRANS_IDLE; }

Result<std::string> Connection::ExecScript(std::string_view sql) {
    ResultPtr res(PQexec(conn_, std::string(sql).c_str()));
    auto status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        return Fail(ErrorFrom(conn_, res.get(), "script"));
    }
    return std::string(PQcmdStatus(res.get()));
}

Status Connection::Prepare(const std::string& name, const std::string& sql) {
    if (prepared_.contains(name)) return {};
    ResultPtr res(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr));
    if (!res || PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
        auto e = ErrorFrom(conn_, res.get(), name);
        if (e.code == ErrorCode::kInternal) {
            std::string message = TrimmedMessage(res ? PQresultErrorMessage(res.get()) : nullptr);
            e.message = fmt::format("SQL statement '{}' does not prepare: {}", name, message);
        }
        return Fail(std::move(e));
    }
    prepared_.insert(name);
    return {};
}

Result<Rows> Connection::RunPrepared(const std::string& name, const std::string& sql,
                                     std::span<const Value> params, std::int64_t* changes) {
    if (auto st = Prepare(name, sql); !st) return Fail(st.error());
    TextParams p(params);
    ResultPtr res(
        PQexecPrepared(conn_, name.c_str(), p.size(), p.values.data(), nullptr, nullptr, 0));
    return Collect(conn_, std::move(res), name, changes);
}

Result<Rows> Connection::RunSql(std::string_view sql, std::span<const Value> params,
                                std::int64_t* changes) {
    TextParams p(params);
    ResultPtr res(PQexecParams(conn_, std::string(sql).c_str(), p.size(), nullptr, p.values.data(),
                               nullptr, nullptr, 0));
    return Collect(conn_, std::move(res), sql, changes);
}

Result<std::int64_t> Connection::RunBatch(const std::string& name, const std::string& sql,
                                          std::span<const std::vector<Value>> rows) {
    if (auto st = Prepare(name, sql); !st) return Fail(st.error());
    if (rows.empty()) return 0;
    if (PQenterPipelineMode(conn_) != 1) return Fail(ErrorFrom(conn_, nullptr, name));
    std::int64_t total = 0;
    std::optional<Error> error;
    for (std::size_t start = 0; start < rows.size() && !error; start += kPipelineChunk) {
        std::size_t end = std::min(rows.size(), start + kPipelineChunk);
        for (std::size_t i = start; i < end && !error; ++i) {
            TextParams p(rows[i]);
            if (PQsendQueryPrepared(conn_, name.c_str(), p.size(), p.values.data(), nullptr,
                                    nullptr, 0) != 1) {
                error = ErrorFrom(conn_, nullptr, name);
            }
        }
        if (PQpipelineSync(conn_) != 1) {
            broken_ = true;
            return Fail(ErrorFrom(conn_, nullptr, name));
        }
        if (auto st = DrainPipeline(name, total); !st && !error) error = st.error();
        if (broken_) return Fail(*error);
    }
    if (PQexitPipelineMode(conn_) != 1) {
        broken_ = true;
        if (!error) error = ErrorFrom(conn_, nullptr, name);
    }
    if (error) return Fail(std::move(*error));
    return total;
}

Result<std::int64_t> Connection::CopyIn(const std::string& sql,
                                        std::span<const std::vector<Value>> rows,
                                        std::span<const Value> leading) {
    ResultPtr started(PQexec(conn_, sql.c_str()));
    if (!started || PQresultStatus(started.get()) != PGRES_COPY_IN) {
        // The COPY did not start (say, an unknown column): an ordinary failed statement.
        if (!started) broken_ = true;
        return Fail(ErrorFrom(conn_, started.get(), sql));
    }
    started.reset();
    // From here until the server's final result, the connection is mid-COPY; any way out
    // other than the end of this function (an early return, an exception) leaves it so.
    struct MidCopy {
        bool& broken;
        bool finished = false;
        ~MidCopy() {
            if (!finished) broken = true;
        }
    } mid_copy{broken_};

    // The fields every line starts with, encoded once.
    std::string prefix;
    for (const auto& v : leading) {
        AppendCopyField(prefix, v);
        prefix.push_back('\t');
    }
    std::string chunk;
    chunk.reserve(kCopyChunk + kCopyChunk / 4);
    auto send = [&]() {
        int rc = PQputCopyData(conn_, chunk.data(), static_cast<int>(chunk.size()));
        chunk.clear();
        return rc == 1;
    };
    // A server-side error (a unique violation, a bad date) arrives only after PQputCopyEnd;
    // until then the server reads and discards the data, so sending on cannot block forever.
    for (const auto& row : rows) {
        chunk += prefix;
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i > 0) chunk.push_back('\t');
            AppendCopyField(chunk, row[i]);
        }
        chunk.push_back('\n');
        if (chunk.size() >= kCopyChunk && !send()) return Fail(ErrorFrom(conn_, nullptr, sql));
    }
    if (!chunk.empty() && !send()) return Fail(ErrorFrom(conn_, nullptr, sql));
    if (PQputCopyEnd(conn_, nullptr) != 1) return Fail(ErrorFrom(conn_, nullptr, sql));

    ResultPtr res(PQgetResult(conn_));
    auto status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    std::optional<Error> error;
    if (status != PGRES_COMMAND_OK) error = ErrorFrom(conn_, res.get(), sql);
    std::int64_t copied = status == PGRES_COMMAND_OK ? CommandRows(res.get()) : 0;
    // Read up to the null that ends the command; a COPY state here means it never ended.
    bool clean = res != nullptr && status != PGRES_COPY_IN && status != PGRES_COPY_BOTH;
    while (clean) {
        ResultPtr more(PQgetResult(conn_));
        if (!more) break;
        auto s = PQresultStatus(more.get());
        if (s == PGRES_COPY_IN || s == PGRES_COPY_OUT || s == PGRES_COPY_BOTH) clean = false;
    }
    mid_copy.finished = clean;
    if (error) return Fail(std::move(*error));
    if (!clean) return Fail(ErrorFrom(conn_, nullptr, sql));
    return copied;
}

// Reads the results of one pipeline up to and including its sync; returns the first error.
Status Connection::DrainPipeline(const std::string& name, std::int64_t& total) {
    std::optional<Error> error;
    int nulls_in_a_row = 0;
    while (true) {
        ResultPtr res(PQgetResult(conn_));
        if (!res) {
            // A null ends each statement's results; two in a row mean nothing more is coming
            // although the sync has not arrived: the connection is unusable.
            if (++nulls_in_a_row < 2) continue;
            broken_ = true;
            if (!error) error = ErrorFrom(conn_, nullptr, name);
            break;
        }
        nulls_in_a_row = 0;
        auto status = PQresultStatus(res.get());
        if (status == PGRES_PIPELINE_SYNC) break;
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
            total += CommandRows(res.get());
        } else if (status != PGRES_PIPELINE_ABORTED && !error) {
            error = ErrorFrom(conn_, res.get(), name);
        }
    }
    if (error) return Fail(std::move(*error));
    return {};
}

}  // namespace overture::storage::postgres
