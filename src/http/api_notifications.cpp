// In-app notifications (docs/workflows.md, "Alert"): GET /api/v1/notifications and
// POST /api/v1/notifications/read. Any signed-in user or API key, for its own user's
// notifications only.
#include <boost/json.hpp>

#include "http/api.hpp"
#include "http/auth_context.hpp"
#include "http/json.hpp"
#include "service/notifications.hpp"

namespace overture::http {

namespace json = boost::json;

namespace {

json::object NotificationJson(const service::Notification& n) {
    json::object o;
    o["id"] = n.id;
    o["level"] = n.level;
    o["title"] = n.title;
    o["message"] = n.message;
    o["link"] = n.link;
    o["createdAt"] = TimeJson(n.created_at);
    o["readAt"] = TimeJson(n.read_at);
    return o;
}

Result<const service::NotificationService*> Notifications(const ApiContext& ctx) {
    if (!ctx.notifications) return Fail(Error::Unavailable("notifications are not available"));
    return ctx.notifications;
}

Result<bool> UnreadParam(const Request& req) {
    if (!req.HasQueryParam("unread")) return false;
    const auto v = req.QueryParam("unread");
    if (v == "true") return true;
    if (v == "false") return false;
    return Fail(Error::InvalidArgument("unread must be true or false").With("field", "unread"));
}

// {"ids": [1, 2]} -> the ids; no "ids" (or null) -> none (all).
Result<std::optional<std::vector<std::int64_t>>> IdsOf(const json::object& body) {
    const auto* v = body.if_contains("ids");
    if (v == nullptr || v->is_null()) return std::optional<std::vector<std::int64_t>>();
    if (!v->is_array()) {
        return Fail(Error::InvalidField("ids", "ids must be a list of notification ids"));
    }
    std::vector<std::int64_t> ids;
    for (const auto& id : v->as_array()) {
        if (id.is_int64() && id.get_int64() > 0) {
            ids.push_back(id.get_int64());
        } else if (id.is_uint64() && id.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
            ids.push_back(static_cast<std::int64_t>(id.get_uint64()));
        } else {
            return Fail(Error::InvalidField("ids", "ids must be a list of notification ids"));
        }
    }
    return std::optional<std::vector<std::int64_t>>(std::move(ids));
}

}  // namespace

void RegisterNotificationRoutes(Router& router, const ApiContext& ctx) {
    router.Add("GET", "/api/v1/notifications",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Notifications(ctx);
                   if (!svc) return Fail(svc.error());
                   auto page = PageFromQuery(req);
                   if (!page) return Fail(page.error());
                   auto unread = UnreadParam(req);
                   if (!unread) return Fail(unread.error());
                   auto list = (*svc)->List(actor, *unread, *page);
                   if (!list) return Fail(list.error());
                   json::array items;
                   for (const auto& n : list->page.items) items.push_back(NotificationJson(n));
                   json::object out;
                   out["items"] = std::move(items);
                   out["next"] =
                       list->page.next ? json::value(*list->page.next) : json::value(nullptr);
                   out["unread"] = list->unread;
                   return JsonResponse(200, out);
               }));

    router.Add("POST", "/api/v1/notifications/read",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Notifications(ctx);
                   if (!svc) return Fail(svc.error());
                   json::object body;
                   if (!req.body.empty()) {
                       auto parsed = ParseObject(req);
                       if (!parsed) return Fail(parsed.error());
                       body = std::move(*parsed);
                   }
                   if (auto st = OnlyFields(body, {"ids"}); !st) return Fail(st.error());
                   auto ids = IdsOf(body);
                   if (!ids) return Fail(ids.error());
                   auto unread = (*svc)->MarkRead(actor, *ids);
                   if (!unread) return Fail(unread.error());
                   return JsonResponse(200, json::object{{"unread", *unread}});
               }));
}

}  // namespace overture::http
