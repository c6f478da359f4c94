// In-app notifications: a user's own list and marking them read (service/notifications.hpp).
#include "service/notifications.hpp"

#include "service/queries.hpp"

namespace overture::service {

using storage::AsInt;
using storage::AsString;
using storage::IsNull;
using storage::Transaction;

namespace {

// At most this many ids in one MarkRead call.
constexpr std::size_t kMaxIds = 1000;

Status RequireUser(const Actor& actor) {
    if (!actor.user_id || actor.username.empty()) {
        return Fail(Error::PermissionDenied("notifications belong to users"));
    }
    return {};
}

Result<std::int64_t> Unread(Transaction& tx, const std::string& username) {
    auto rows = tx.Query(q::kNotificationUnreadCount, {username});
    if (!rows) return Fail(std::move(rows.error()));
    return AsInt(rows->rows.at(0).at(0));
}

}  // namespace

Result<NotificationPage> NotificationService::List(const Actor& actor, bool unread_only,
                                                   const PageRequest& page) const {
    if (auto st = RequireUser(actor); !st) return Fail(st.error());
    if (auto st = CheckLimit(page.limit); !st) return Fail(st.error());
    auto before = DecodeCursor(page.cursor, INT64_MAX);
    if (!before) return Fail(before.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<NotificationPage> {
        auto rows = tx.Query(q::kNotificationList,
                             {actor.username, *before, std::int64_t{unread_only ? 1 : 0},
                              std::int64_t{page.limit} + 1});
        if (!rows) return Fail(std::move(rows.error()));
        NotificationPage out;
        for (const auto& row : rows->rows) {
            if (out.page.items.size() == static_cast<std::size_t>(page.limit)) {
                out.page.next = EncodeCursor(out.page.items.back().id);
                break;
            }
            Notification n;
            n.id = AsInt(row[0]);
            n.level = AsString(row[1]);
            n.title = AsString(row[2]);
            n.message = AsString(row[3]);
            n.link = AsString(row[4]);
            n.created_at = FromUnixMillis(AsInt(row[5]));
            if (!IsNull(row[6])) n.read_at = FromUnixMillis(AsInt(row[6]));
            out.page.items.push_back(std::move(n));
        }
        auto unread = Unread(tx, actor.username);
        if (!unread) return Fail(std::move(unread.error()));
        out.unread = *unread;
        return out;
    });
}

Result<std::int64_t> NotificationService::MarkRead(
    const Actor& actor, const std::optional<std::vector<std::int64_t>>& ids) const {
    if (auto st = RequireUser(actor); !st) return Fail(st.error());
    if (ids && ids->size() > kMaxIds) {
        return Fail(Error::InvalidField("ids", "at most 1000 ids at a time"));
    }
    const std::int64_t now = ToUnixMillis(clock_.Now());
    return storage::WithWrite(db_, [&](Transaction& tx) -> Result<std::int64_t> {
        if (ids) {
            for (std::int64_t id : *ids) {
                auto n = tx.Exec(q::kNotificationMarkRead, {actor.username, id, now});
                if (!n) return Fail(std::move(n.error()));
            }
        } else {
            auto n = tx.Exec(q::kNotificationMarkAllRead, {actor.username, now});
            if (!n) return Fail(std::move(n.error()));
        }
        return Unread(tx, actor.username);
    });
}

}  // namespace overture::service
