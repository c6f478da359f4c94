#pragma once
// Pieces of Database that every backend (storage/sqlite, storage/postgres) implements the same
// way. Internal to storage.
//
// Thread-safety: as the objects passed in (a Database is thread-safe; a connection is not).
#include <fmt/format.h>

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "storage/database.hpp"
#include "storage/query_catalog.hpp"

namespace overture::storage {

// Prepares every statement of `catalog` on `conn` (any type with
// `Status Prepare(const std::string& name, const std::string& sql)`). Stops at the first one
// that does not prepare and returns its error, the message extended with "(at file:line)".
template <typename Conn>
Status PrepareCatalogOn(Conn& conn, const QueryCatalog& catalog) {
    for (const auto& [name, entry] : catalog.entries()) {
        if (auto st = conn.Prepare(name, entry.sql); !st) {
            auto e = std::move(st.error());
            e.message = fmt::format("{} (at {})", e.message, entry.where);
            return Fail(std::move(e));
        }
    }
    return {};
}

// Transaction::BulkInsert's precondition, checked before anything is sent: at least one column,
// and every row as wide as `columns`. `backend` ("sqlite", "postgres") starts the detail.
inline Status CheckBulkShape(std::string_view backend, std::string_view table,
                             std::span<const std::string> columns,
                             std::span<const std::vector<Value>> rows) {
    if (columns.empty()) {
        return Fail(Error{ErrorCode::kInvalidArgument,
                          "a bulk insert needs columns",
                          fmt::format("{}: bulk insert into {}: no columns", backend, table),
                          {}});
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].size() != columns.size()) {
            return Fail(Error{ErrorCode::kInvalidArgument,
                              "a row has the wrong number of values",
                              fmt::format("{}: bulk insert into {}: row {} has {} values for {} "
                                          "columns",
                                          backend, table, i, rows[i].size(), columns.size()),
                              {}});
        }
    }
    return {};
}

// Database::Ping() of a backend: SELECT 1 in a read transaction. Fails as Begin() or the query.
inline Status PingWithSelect(Database& db) {
    auto tx = db.Begin(TxMode::kRead);
    if (!tx) return Fail(tx.error());
    if (auto r = (*tx)->QuerySql("SELECT 1", {}); !r) return Fail(r.error());
    return {};
}

}  // namespace overture::storage
