// /api/v1/api-keys
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>

#include "http/api.hpp"
#include "http/auth_context.hpp"
#include "http/dto.hpp"
#include "http/json.hpp"

namespace overture::http {

namespace json = boost::json;

json::object ApiKeyJson(const service::ApiKey& key) {
    json::object o;
    o["id"] = key.id.value();
    o["name"] = key.name;
    o["prefix"] = "ovk_" + key.prefix;
    json::array scopes;
    for (auto s : key.scopes) scopes.push_back(json::string(service::ScopeName(s)));
    o["scopes"] = std::move(scopes);
    o["userId"] = key.user_id.value();
    o["username"] = key.username;
    o["createdAt"] = TimeJson(key.created_at);
    o["lastUsedAt"] = TimeJson(key.last_used_at);
    o["revokedAt"] = TimeJson(key.revoked_at);
    return o;
}

void RegisterApiKeyRoutes(Router& router, const ApiContext& ctx) {
    router.Add("GET", "/api/v1/api-keys",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto page = PageFromQuery(req);
                   if (!page) return Fail(page.error());
                   auto keys = ctx.api_keys.List(actor, *page);
                   if (!keys) return Fail(keys.error());
                   return ItemsResponse(*keys, ApiKeyJson);
               }));

    router.Add(
        "POST", "/api/v1/api-keys",
        Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
            auto body = ParseObject(req);
            if (!body) return Fail(body.error());
            if (auto st = OnlyFields(*body, {"name", "scopes"}); !st) {
                return Fail(st.error());
            }
            auto name = RequiredString(*body, "name");
            if (!name) return Fail(name.error());
            std::vector<service::Scope> scopes;
            auto it = body->find("scopes");
            if (it == body->end() || !it->value().is_array()) {
                return Fail(
                    Error::InvalidArgument("field 'scopes' must be an array of \"read\", \"write\"")
                        .With("field", "scopes"));
            }
            for (const auto& v : it->value().as_array()) {
                auto scope = v.is_string() ? service::ParseScope(v.as_string())
                                           : std::optional<service::Scope>();
                if (!scope) {
                    return Fail(Error::InvalidArgument("each scope must be \"read\" or \"write\"")
                                    .With("field", "scopes"));
                }
                scopes.push_back(*scope);
            }
            auto created = ctx.api_keys.Create(actor, *name, scopes);
            if (!created) return Fail(created.error());
            auto out = ApiKeyJson(created->key);
            out["secret"] = created->secret;
            auto response = JsonResponse(201, out);
            response.SetHeader("Cache-Control", "no-store");
            return response;
        }));

    router.Add("DELETE", "/api/v1/api-keys/{id}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = PathId(req, "id", "API key");
                   if (!id) return Fail(id.error());
                   if (auto st = ctx.api_keys.Revoke(actor, ApiKeyId(*id)); !st) {
                       return Fail(st.error());
                   }
                   return Response::NoContent();
               }));
}

}  // namespace overture::http
