#pragma once
// The PostgreSQL backend of the storage contract (see storage/database.hpp), on libpq.
//
// A pool of up to `max_connections` connections, opened on demand (one at Open). Catalog
// statements are prepared server-side under their catalog name: on first use on each
// connection, or on connect once PrepareCatalog() succeeded. Begin(kRead) runs BEGIN READ
// ONLY, Begin(kWrite) BEGIN. ExecBatch sends its rows in libpq pipeline mode.
//
// Errors: SQLSTATE 23505 (unique violation) is kAlreadyExists with a generic message; a lost
// connection is kUnavailable and the connection is dropped from the pool; serialisation
// failures and deadlocks are kUnavailable ("try again"); no free connection within
// `acquire_timeout` is kUnavailable; everything else is kInternal with the server's message
// in the detail. Messages never contain the password of the URL.
//
// Thread-safety: the Database is thread-safe; a Transaction belongs to one thread at a time.
// The Database must outlive every Transaction it began.
#include <memory>
#include <string>

#include "common/error.hpp"
#include "storage/database.hpp"
#include "storage/query_catalog.hpp"

namespace overture::storage::postgres {

// Connects to `url`, a libpq URI such as postgresql://user@127.0.0.1:5432/db. Opens one
// connection right away: fails with kUnavailable naming the host, port and database (libpq's
// message in the detail) when it cannot.
Result<std::unique_ptr<Database>> Open(const std::string& url, const PoolOptions& options,
                                       QueryCatalog catalog);

}  // namespace overture::storage::postgres
