// GET /api/v1/audit
#include <boost/json.hpp>

#include "http/api.hpp"
#include "http/auth_context.hpp"
#include "http/json.hpp"

namespace overture::http {

namespace json = boost::json;

void RegisterAuditRoutes(Router& router, const ApiContext& ctx) {
    router.Add("GET", "/api/v1/audit",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto page = PageFromQuery(req);
                   if (!page) return Fail(page.error());
                   auto entries = ctx.audit.List(actor, *page);
                   if (!entries) return Fail(entries.error());
                   json::array items;
                   for (const auto& e : entries->items) {
                       json::object o;
                       o["id"] = e.id.value();
                       o["at"] = TimeJson(e.at);
                       o["actorId"] =
                           e.actor_id ? json::value(e.actor_id.value()) : json::value(nullptr);
                       o["actorName"] = e.actor_name;
                       o["action"] = e.action;
                       o["targetType"] = e.target_type;
                       o["targetId"] = e.target_id;
                       boost::system::error_code ec;
                       auto details = json::parse(e.details_json, ec);
                       o["details"] = ec ? json::value(json::object()) : std::move(details);
                       items.push_back(std::move(o));
                   }
                   return PageResponse(std::move(items), entries->next);
               }));
}

}  // namespace overture::http
