// The loadFile activity (data): reads a CSV or TSV file of the workflow files folder into a
// working table of resource "file".
//
// params: {"path": "nightly.csv", "delimiter": "," | ";" | "\t" | "|" | "auto" (default),
//          "header": true, "columns": [{"name": "email", "type": "string"}] (optional)}
// ports: [out] (no inbound transition needed; a population reaching it is ignored).
//
// Each line becomes a row whose id is its line number in the file. With "columns", each
// declared column is read from the header column of that name (without a header: by
// position) and converted to its type (string, integer, float, boolean, date, datetime);
// without "columns", every header column is kept as a string (without a header: column1, ...).
// A line that is malformed, too short, or has a value that does not convert is rejected: it is
// logged with its line number and reason (the first 100; then only counted) and counted, never
// silently dropped. Rows are written in batches with a Checkpoint between them. A dry run
// reads the file too (it only writes the working table).
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <set>

#include "common/strings.hpp"
#include "importexport/csv_detect.hpp"
#include "importexport/csv_reader.hpp"
#include "schema/dates.hpp"
#include "service/workflow_files.hpp"

namespace overture::service::wf {

namespace {

namespace json = boost::json;
using storage::Value;
using workflow::Context;
using workflow::Outcome;
using workflow::Problem;

constexpr std::size_t kBatch = 5000;
constexpr std::int64_t kLoggedRejects = 100;

bool KnownType(std::string_view t) {
    return t == "string" || t == "integer" || t == "float" || t == "boolean" || t == "date" ||
           t == "datetime";
}

// The delimiter parameter: 0 for "auto".
std::optional<char> DelimiterOf(const json::object& params) {
    const json::value* v = params.if_contains("delimiter");
    if (!v || v->is_null()) return 0;
    if (!v->is_string()) return std::nullopt;
    const std::string_view s = v->get_string();
    if (s == "auto" || s.empty()) return 0;
    if (s == "\\t" || s == "tab") return '\t';
    if (s.size() == 1 && s[0] != '"' && s[0] != '\r' && s[0] != '\n' &&
        static_cast<unsigned char>(s[0]) < 0x80) {
        return s[0];
    }
    return std::nullopt;
}

struct Declared {
    std::string name, type;
};

std::vector<Declared> DeclaredColumns(const json::object& params) {
    std::vector<Declared> out;
    const json::value* v = params.if_contains("columns");
    if (!v || !v->is_array()) return out;
    for (const auto& e : v->get_array()) {
        if (!e.is_object()) continue;
        Declared d{StringParam(e.get_object(), "name").value_or(""),
                   StringParam(e.get_object(), "type").value_or("string")};
        out.push_back(std::move(d));
    }
    return out;
}

// A cell converted to its column's type; an error message when it does not convert.
Result<Value> Convert(std::string_view raw, std::string_view type) {
    const std::string_view text = Trim(raw);
    if (type == "string") return raw.empty() ? Value() : Value(std::string(raw));
    if (text.empty()) return Value();
    if (type == "integer") {
        std::int64_t n = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec != std::errc() || p != text.data() + text.size()) {
            return Fail(Error::InvalidArgument(fmt::format("'{}' is not an integer", text)));
        }
        return Value(n);
    }
    if (type == "float") {
        double d = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
        if (ec != std::errc() || p != text.data() + text.size() || !std::isfinite(d)) {
            return Fail(Error::InvalidArgument(fmt::format("'{}' is not a number", text)));
        }
        return Value(d);
    }
    if (type == "boolean") {
        const std::string lower = ToLower(text);
        if (lower == "true" || lower == "1" || lower == "yes" || lower == "y") return Value(true);
        if (lower == "false" || lower == "0" || lower == "no" || lower == "n") return Value(false);
        return Fail(Error::InvalidArgument(fmt::format("'{}' is not true or false", text)));
    }
    if (type == "date") {
        auto d = schema::ParseIsoDate(text);
        if (!d) {
            return Fail(
                Error::InvalidArgument(fmt::format("'{}' is not a date (YYYY-MM-DD)", text)));
        }
        return Value(std::move(*d));
    }
    auto t = schema::ParseIsoDateTime(text);
    if (!t) return Fail(Error::InvalidArgument(fmt::format("'{}' is not a date and time", text)));
    return Value(std::move(*t));
}

class LoadFile final : public workflow::ActivityType {
  public:
    explicit LoadFile(const ServiceActivityDeps& deps) : deps_(deps) {}

    std::string_view type() const override { return "loadFile"; }
    std::string_view category() const override { return "data"; }
    std::string_view label() const override { return "Load file"; }
    // Starts a branch after a Scheduler or Start; a population reaching it is not used.
    std::vector<std::string> OutputPorts(const json::object&) const override { return {"out"}; }

    std::vector<Problem> Check(const json::object& params,
                               const workflow::CheckContext&) const override {
        std::vector<Problem> out;
        if (auto problem = PathParamProblem(params, "path", "choose the file to load")) {
            out.push_back(std::move(*problem));
        }
        if (!DelimiterOf(params)) {
            out.push_back(
                MakeProblem("params.delimiter", "the delimiter must be \"auto\" or one character"));
        }
        if (!BoolParam(params, "header", true)) {
            out.push_back(MakeProblem("params.header", "header must be true or false"));
        }
        if (const json::value* v = params.if_contains("columns"); v && !v->is_null()) {
            if (!v->is_array()) {
                out.push_back(MakeProblem("params.columns", "columns must be a list"));
                return out;
            }
            std::set<std::string> seen;
            std::size_t i = 0;
            for (const auto& e : v->get_array()) {
                const std::string field = fmt::format("params.columns[{}]", i++);
                if (!e.is_object()) {
                    out.push_back(MakeProblem(field, "each column must be {name, type}"));
                    continue;
                }
                auto name = StringParam(e.get_object(), "name");
                if (!name || Trim(*name).empty() || name->size() > 200) {
                    out.push_back(MakeProblem(field + ".name",
                                              "each column needs a name (1-200 characters)"));
                } else if (!seen.insert(*name).second) {
                    out.push_back(MakeProblem(
                        field + ".name", fmt::format("the column '{}' is declared twice", *name)));
                }
                auto type = StringParam(e.get_object(), "type").value_or("string");
                if (!KnownType(type)) {
                    out.push_back(MakeProblem(
                        field + ".type",
                        fmt::format("'{}' is not a column type: string, integer, float, boolean, "
                                    "date or datetime",
                                    type)));
                }
            }
        }
        return out;
    }

    Result<Outcome> Execute(Context& ctx) const override {
        const auto& params = ctx.activity().params;
        const std::string relative = ExpandPath(StringParam(params, "path").value_or(""), ctx);
        auto path = Resolve(deps_.directory, relative, /*create_parent=*/false);
        if (!path) return Fail(path.error());
        std::error_code ec;
        if (!std::filesystem::is_regular_file(*path, ec)) {
            return Fail(Error::NotFound(fmt::format(
                "the file '{}' does not exist in the workflow files folder", relative)));
        }
        importexport::CsvOptions options;
        const char delimiter = DelimiterOf(params).value_or(0);
        if (delimiter == 0) {
            auto sniff = importexport::Sniff(path->string());
            if (!sniff) return Fail(sniff.error());
            options = sniff->options();
        } else {
            options.delimiter = delimiter;
        }
        const bool header = BoolParam(params, "header", true).value_or(true);
        auto reader = importexport::CsvReader::Open(path->string(), options);
        if (!reader) return Fail(reader.error());

        importexport::CsvRecord record;
        std::vector<std::string> names;
        if (header) {
            auto more = (*reader)->Next(record);
            if (!more) return Fail(more.error());
            if (*more) {
                for (auto f : record.fields) names.emplace_back(Trim(f));
            }
        }
        // Which file column feeds which table column, and with which type.
        std::vector<Declared> declared = DeclaredColumns(params);
        std::vector<int> sources;
        std::vector<workflow::Column> columns;
        if (declared.empty()) {
            if (!header) {
                return Fail(Error::InvalidArgument(
                    "a file without a header needs its columns declared (params.columns)"));
            }
            for (std::size_t i = 0; i < names.size(); ++i) {
                declared.push_back(
                    {names[i].empty() ? fmt::format("column{}", i + 1) : names[i], "string"});
                sources.push_back(static_cast<int>(i));
            }
        } else {
            for (std::size_t i = 0; i < declared.size(); ++i) {
                if (!header) {
                    sources.push_back(static_cast<int>(i));
                    continue;
                }
                int found = -1;
                for (std::size_t j = 0; j < names.size() && found < 0; ++j) {
                    if (names[j] == declared[i].name) found = static_cast<int>(j);
                }
                for (std::size_t j = 0; j < names.size() && found < 0; ++j) {
                    if (ToLower(names[j]) == ToLower(declared[i].name)) found = static_cast<int>(j);
                }
                if (found < 0) {
                    return Fail(Error::InvalidArgument(fmt::format(
                        "the file '{}' has no column '{}'", relative, declared[i].name)));
                }
                sources.push_back(found);
            }
        }
        for (const auto& d : declared) columns.push_back({d.name, d.type, ""});
        auto table = ctx.CreateTable("file", columns);
        if (!table) return Fail(table.error());

        std::vector<std::string> sql_columns{"id"};
        for (const auto& c : table->columns) sql_columns.push_back(c.column);
        int needed = 0;
        for (int s : sources) needed = std::max(needed, s + 1);

        std::int64_t read = 0, rejected = 0, loaded = 0;
        std::vector<std::vector<Value>> batch;
        auto reject = [&](std::uint64_t line, const std::string& reason) {
            ++rejected;
            if (rejected <= kLoggedRejects) {
                ctx.Log(workflow::LogLevel::kWarning,
                        fmt::format("line {} rejected: {}", line, reason));
            }
        };
        auto flush = [&]() -> Status {
            if (batch.empty()) return {};
            auto n = storage::WithWrite(ctx.db(), [&](storage::Transaction& tx) {
                return tx.BulkInsert(table->name, sql_columns, batch);
            });
            if (!n) return Fail(n.error());
            loaded += *n;
            batch.clear();
            return ctx.Checkpoint();
        };
        while (true) {
            auto more = (*reader)->Next(record);
            if (!more) return Fail(more.error());
            if (!*more) break;
            ++read;
            if (!record.error.empty()) {
                reject(record.line, record.error);
                continue;
            }
            if (record.fields.size() == 1 && Trim(record.fields[0]).empty() && needed > 1) {
                --read;  // a line of white space only
                continue;
            }
            if (static_cast<int>(record.fields.size()) < needed) {
                reject(record.line, fmt::format("the line has {} fields, {} expected",
                                                record.fields.size(), needed));
                continue;
            }
            std::vector<Value> row;
            row.reserve(sql_columns.size());
            row.emplace_back(static_cast<std::int64_t>(record.line));
            bool ok = true;
            for (std::size_t i = 0; i < declared.size() && ok; ++i) {
                auto v =
                    Convert(record.fields[static_cast<std::size_t>(sources[i])], declared[i].type);
                if (!v) {
                    reject(record.line,
                           fmt::format("column '{}': {}", declared[i].name, v.error().message));
                    ok = false;
                } else {
                    row.push_back(std::move(*v));
                }
            }
            if (!ok) continue;
            batch.push_back(std::move(row));
            if (batch.size() >= kBatch) {
                if (auto st = flush(); !st) return Fail(st.error());
            }
        }
        if (auto st = flush(); !st) return Fail(st.error());
        table->count = loaded;
        if (rejected > kLoggedRejects) {
            ctx.Log(workflow::LogLevel::kWarning,
                    fmt::format("{} more lines rejected (not listed)", rejected - kLoggedRejects));
        }
        ctx.Log(rejected > 0 ? workflow::LogLevel::kWarning : workflow::LogLevel::kInfo,
                fmt::format("'{}': {} lines read, {} loaded, {} rejected", relative, read, loaded,
                            rejected),
                loaded);
        return Pass(std::move(*table));
    }

  private:
    ServiceActivityDeps deps_;
};

}  // namespace

std::unique_ptr<workflow::ActivityType> MakeLoadFile(const ServiceActivityDeps& deps) {
    return std::make_unique<LoadFile>(deps);
}

}  // namespace overture::service::wf
