#include "service/audit.hpp"

#include <boost/json.hpp>
#include <limits>

#include "service/queries.hpp"

namespace overture::service {

Status AuditLog::Record(storage::Transaction& tx, const Actor& actor, std::string_view action,
                        std::string_view target_type, std::string_view target_id,
                        const AuditDetails& details) const {
    boost::json::object obj;
    for (const auto& [k, v] : details) obj[k] = v;
    if (!actor.remote.empty()) obj["remote"] = actor.remote;
    if (actor.via_api_key()) obj["apiKeyId"] = actor.api_key_id.value();
    storage::Value actor_id =
        actor.user_id ? storage::Value(actor.user_id.value()) : storage::Value(std::monostate{});
    auto r = tx.Exec(q::kAuditInsert, {ToUnixMillis(clock_.Now()), actor_id, actor.username,
                                       std::string(action), std::string(target_type),
                                       std::string(target_id), boost::json::serialize(obj)});
    if (!r) return Fail(r.error());
    return {};
}

Result<Page<AuditEntry>> AuditLog::List(const Actor& actor, const PageRequest& page) const {
    if (auto st = Require(actor, Permission::kReadAudit); !st) return Fail(st.error());
    if (auto st = CheckLimit(page.limit); !st) return Fail(st.error());
    auto before = DecodeCursor(page.cursor, std::numeric_limits<std::int64_t>::max());
    if (!before) return Fail(before.error());
    return storage::WithRead(db_, [&](storage::Transaction& tx) -> Result<Page<AuditEntry>> {
        auto rows = tx.Query(q::kAuditList, {*before, std::int64_t{page.limit} + 1});
        if (!rows) return Fail(rows.error());
        Page<AuditEntry> out;
        for (const auto& r : rows->rows) {
            if (out.items.size() == static_cast<std::size_t>(page.limit)) {
                out.next = EncodeCursor(out.items.back().id.value());
                break;
            }
            out.items.push_back(AuditEntry{
                AuditId(storage::AsInt(r[0])), FromUnixMillis(storage::AsInt(r[1])),
                UserId(storage::AsInt(r[2])), storage::AsString(r[3]), storage::AsString(r[4]),
                storage::AsString(r[5]), storage::AsString(r[6]), storage::AsString(r[7])});
        }
        return out;
    });
}

}  // namespace overture::service
