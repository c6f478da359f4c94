// Subscriptions: /api/v1/services/{id}/subscriptions (GET list, POST subscribe),
// /api/v1/services/{id}/subscriptions/{profileId} (DELETE unsubscribe),
// /api/v1/profiles/{id}/subscriptions (GET), and /api/v1/quarantine/{id}/release (POST).
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>

#include "http/api.hpp"
#include "http/auth_context.hpp"
#include "http/json.hpp"

namespace overture::http {

namespace json = boost::json;

namespace {

// Lists subscriptions filtered on one link (service or profile).
Result<Response> ListSubscriptions(const ApiContext& ctx, Request& req, const service::Actor& actor,
                                   std::string_view link, std::int64_t id) {
    auto page = PageFromQuery(req);
    if (!page) return Fail(page.error());
    service::ListQuery q;
    q.page = *page;
    q.equals.emplace_back(std::string(link), std::to_string(id));
    auto result = ctx.records.List(actor, "subscription", q);
    if (!result) return Fail(result.error());
    json::array items;
    for (auto& item : result->items) items.push_back(std::move(item));
    return PageResponse(std::move(items), result->next);
}

}  // namespace

void RegisterSubscriptionRoutes(Router& router, const ApiContext& ctx) {
    router.Add("GET", "/api/v1/services/{id}/subscriptions",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = PathId(req, "id", "service");
                   if (!id) return Fail(id.error());
                   if (auto s = ctx.records.Get(actor, "service", *id); !s) return Fail(s.error());
                   return ListSubscriptions(ctx, req, actor, "service", *id);
               }));

    router.Add("POST", "/api/v1/services/{id}/subscriptions",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = PathId(req, "id", "service");
                   if (!id) return Fail(id.error());
                   auto body = ParseObject(req);
                   if (!body) return Fail(body.error());
                   if (auto st = OnlyFields(*body, {"profile", "origin"}); !st) {
                       return Fail(st.error());
                   }
                   auto it = body->find("profile");
                   if (it == body->end() || !it->value().is_int64()) {
                       return Fail(Error::InvalidArgument("profile must be the id of a profile")
                                       .With("field", "profile"));
                   }
                   auto origin = OptionalString(*body, "origin");
                   if (!origin) return Fail(origin.error());
                   auto result = ctx.subscriptions.Subscribe(actor, *id, it->value().as_int64(),
                                                             origin->value_or("api"));
                   if (!result) return Fail(result.error());
                   return JsonResponse(result->created ? 201 : 200, result->subscription);
               }));

    router.Add("DELETE", "/api/v1/services/{id}/subscriptions/{profileId}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = PathId(req, "id", "service");
                   if (!id) return Fail(id.error());
                   auto profile = PathId(req, "profileId", "profile");
                   if (!profile) return Fail(profile.error());
                   std::string origin(req.QueryParam("origin"));
                   if (auto st = ctx.subscriptions.Unsubscribe(actor, *id, *profile,
                                                               origin.empty() ? "api" : origin);
                       !st) {
                       return Fail(st.error());
                   }
                   return Response::NoContent();
               }));

    router.Add("GET", "/api/v1/profiles/{id}/subscriptions",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = PathId(req, "id", "profile");
                   if (!id) return Fail(id.error());
                   if (auto p = ctx.records.Get(actor, "profile", *id); !p) return Fail(p.error());
                   return ListSubscriptions(ctx, req, actor, "profile", *id);
               }));

    // Release an address from quarantine: it becomes valid again and its error count restarts.
    router.Add("POST", "/api/v1/quarantine/{id}/release",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = PathId(req, "id", "quarantine entry");
                   if (!id) return Fail(id.error());
                   json::object patch{{"status", "valid"}, {"errorCount", 0}};
                   auto record = ctx.records.Update(actor, "quarantine", *id, patch);
                   if (!record) return Fail(record.error());
                   return JsonResponse(200, *record);
               }));
}

}  // namespace overture::http
