#pragma once
// In-app notifications (docs/workflows.md, "Alert"): short messages addressed to one user, shown
// under the bell in the application's header. The workflow Alert activity writes them
// (workflow/activities/alert.cpp); this service lets a user read their own and mark them read.
//
// Every signed-in user and every API key (acting as its user) sees only the notifications of
// its own user name; no permission beyond being a user is needed. Reading and marking are not
// audited. Thread-safe (holds only references).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "service/actor.hpp"
#include "service/page.hpp"
#include "storage/database.hpp"

namespace overture::service {

struct Notification {
    std::int64_t id = 0;
    std::string level;  // info, warning, error
    std::string title;
    std::string message;
    std::string link;  // a path of the application ("/workflows/3"), or ""
    TimePoint created_at;
    std::optional<TimePoint> read_at;  // none while unread
};

struct NotificationPage {
    Page<Notification> page;
    std::int64_t unread = 0;  // the user's unread notifications, all pages
};

class NotificationService {
  public:
    NotificationService(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

    // The actor's own notifications, newest first (only the unread ones when `unread_only`),
    // with the unread count. kInvalidArgument for a bad limit or cursor; kPermissionDenied for
    // an actor that is no user.
    Result<NotificationPage> List(const Actor& actor, bool unread_only,
                                  const PageRequest& page) const;
    // Marks the actor's notifications `ids` read (all of them when none); ids of other users'
    // notifications and notifications already read are left alone. Gives the unread count after.
    Result<std::int64_t> MarkRead(const Actor& actor,
                                  const std::optional<std::vector<std::int64_t>>& ids) const;

  private:
    storage::Database& db_;
    const Clock& clock_;
};

}  // namespace overture::service
