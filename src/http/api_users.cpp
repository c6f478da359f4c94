// /api/v1/users
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>

#include "http/api.hpp"
#include "http/auth_context.hpp"
#include "http/dto.hpp"
#include "http/json.hpp"

namespace overture::http {

namespace json = boost::json;

json::object UserJson(const service::User& user) {
    json::object o;
    o["id"] = user.id.value();
    o["username"] = user.username;
    o["displayName"] = user.display_name;
    o["role"] = service::RoleName(user.role);
    o["disabled"] = user.disabled;
    o["createdAt"] = TimeJson(user.created_at);
    o["updatedAt"] = TimeJson(user.updated_at);
    return o;
}

namespace {

Result<service::Role> RoleField(std::string_view text) {
    auto role = service::ParseRole(text);
    if (!role) {
        return Fail(Error::InvalidArgument(
                        fmt::format("role '{}' is not one of administrator, data_manager, "
                                    "marketer, supervisor, analyst",
                                    text))
                        .With("field", "role"));
    }
    return *role;
}

Result<UserId> IdParam(const Request& req) {
    auto id = PathId(req, "id", "user");
    if (!id) return Fail(id.error());
    return UserId(*id);
}

}  // namespace

void RegisterUserRoutes(Router& router, const ApiContext& ctx) {
    router.Add("GET", "/api/v1/users",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto page = PageFromQuery(req);
                   if (!page) return Fail(page.error());
                   auto users = ctx.users.List(actor, *page, req.QueryParam("q"));
                   if (!users) return Fail(users.error());
                   return ItemsResponse(*users, UserJson);
               }));

    router.Add(
        "POST", "/api/v1/users",
        Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
            auto body = ParseObject(req);
            if (!body) return Fail(body.error());
            if (auto st = OnlyFields(*body, {"username", "password", "role", "displayName"}); !st) {
                return Fail(st.error());
            }
            service::NewUser in;
            auto username = RequiredString(*body, "username");
            if (!username) return Fail(username.error());
            auto password = RequiredString(*body, "password");
            if (!password) return Fail(password.error());
            auto role_text = RequiredString(*body, "role");
            if (!role_text) return Fail(role_text.error());
            auto role = RoleField(*role_text);
            if (!role) return Fail(role.error());
            auto display = OptionalString(*body, "displayName");
            if (!display) return Fail(display.error());
            in.username = *username;
            in.password = *password;
            in.role = *role;
            in.display_name = display->value_or("");
            auto user = ctx.users.Create(actor, in);
            if (!user) return Fail(user.error());
            auto response = JsonResponse(201, UserJson(*user));
            response.SetHeader("Location", fmt::format("/api/v1/users/{}", user->id.value()));
            return response;
        }));

    router.Add("GET", "/api/v1/users/{id}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   auto user = ctx.users.Get(actor, *id);
                   if (!user) return Fail(user.error());
                   return JsonResponse(200, UserJson(*user));
               }));

    router.Add(
        "PATCH", "/api/v1/users/{id}",
        Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
            auto id = IdParam(req);
            if (!id) return Fail(id.error());
            auto body = ParseObject(req);
            if (!body) return Fail(body.error());
            if (auto st = OnlyFields(*body, {"displayName", "role", "disabled", "password"}); !st) {
                return Fail(st.error());
            }
            service::UserPatch patch;
            auto display = OptionalString(*body, "displayName");
            if (!display) return Fail(display.error());
            patch.display_name = *display;
            auto role_text = OptionalString(*body, "role");
            if (!role_text) return Fail(role_text.error());
            if (*role_text) {
                auto role = RoleField(**role_text);
                if (!role) return Fail(role.error());
                patch.role = *role;
            }
            auto disabled = OptionalBool(*body, "disabled");
            if (!disabled) return Fail(disabled.error());
            patch.disabled = *disabled;
            auto password = OptionalString(*body, "password");
            if (!password) return Fail(password.error());
            patch.password = *password;
            auto user = ctx.users.Update(actor, *id, patch);
            if (!user) return Fail(user.error());
            return JsonResponse(200, UserJson(*user));
        }));
}

}  // namespace overture::http
