#include "storage/query_catalog.hpp"

#include <fmt/format.h>

#include "common/strings.hpp"

namespace overture::storage {

namespace {

constexpr std::string_view kNameMarker = "-- name:";

}  // namespace

Result<QueryCatalog> QueryCatalog::Parse(std::span<const SqlFile> files) {
    QueryCatalog catalog;
    for (const auto& file : files) {
        std::string current;
        std::string current_where;
        std::string body;
        auto flush = [&]() -> Status {
            if (current.empty()) return {};
            auto sql = std::string(Trim(body));
            if (sql.empty()) {
                return Fail(Error::InvalidArgument(
                    fmt::format("{}: statement '{}' has no SQL", current_where, current)));
            }
            if (auto it = catalog.entries_.find(current); it != catalog.entries_.end()) {
                return Fail(Error::InvalidArgument(
                    fmt::format("{}: statement '{}' is already declared at {}", current_where,
                                current, it->second.where)));
            }
            catalog.entries_.emplace(current, Entry{std::move(sql), current_where});
            return {};
        };
        int line_no = 0;
        for (auto line : Split(file.text, '\n')) {
            ++line_no;
            auto trimmed = Trim(line);
            if (trimmed.starts_with(kNameMarker)) {
                if (auto st = flush(); !st) return Fail(st.error());
                current = std::string(Trim(trimmed.substr(kNameMarker.size())));
                current_where = fmt::format("{}:{}", file.path, line_no);
                body.clear();
                if (current.empty()) {
                    return Fail(Error::InvalidArgument(
                        fmt::format("{}: empty statement name", current_where)));
                }
                continue;
            }
            if (!current.empty()) {
                body.append(line);
                body.push_back('\n');
            }
        }
        if (auto st = flush(); !st) return Fail(st.error());
    }
    return catalog;
}

Result<QueryCatalog> QueryCatalog::Load(Dialect dialect) {
    auto prefix = fmt::format("sql/{}/", DialectName(dialect));
    std::vector<SqlFile> files;
    for (const auto& f : EmbeddedSqlFiles()) {
        if (f.path.starts_with(prefix)) files.push_back(f);
    }
    return Parse(files);
}

const std::string* QueryCatalog::Find(std::string_view name) const {
    auto it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second.sql;
}

Status QueryCatalog::RequireAll(std::span<const std::string_view> names) const {
    std::string missing;
    for (auto name : names) {
        if (!entries_.contains(name)) {
            if (!missing.empty()) missing += ", ";
            missing += name;
        }
    }
    if (!missing.empty()) {
        return Fail(
            Error::Internal("SQL statements used by the code but not declared: " + missing));
    }
    return {};
}

std::vector<std::string> QueryCatalog::Names() const {
    std::vector<std::string> names;
    for (const auto& [name, entry] : entries_) names.push_back(name);
    return names;
}

std::string_view DialectName(Dialect d) { return d == Dialect::kSqlite ? "sqlite" : "postgres"; }

}  // namespace overture::storage
