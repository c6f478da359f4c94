// POST /api/v1/templates/validate | render: strict checking of a message's subject, HTML and
// text parts (the profile fields they read, or the first error with its position), and a
// lenient preview with the data of a profile, a test profile or a JSON context.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "http/api.hpp"
#include "http/auth_context.hpp"
#include "http/json.hpp"
#include "service/templates.hpp"

namespace overture::http {

namespace json = boost::json;

namespace {

Result<service::TemplateParts> ReadParts(const json::object& body) {
    service::TemplateParts parts;
    for (auto [name, slot] : {std::pair{"subject", &parts.subject}, std::pair{"html", &parts.html},
                              std::pair{"text", &parts.text}}) {
        auto value = OptionalString(body, name);
        if (!value) return Fail(value.error());
        *slot = std::move(*value);
    }
    return parts;
}

Result<std::optional<std::int64_t>> OptionalId(const json::object& body, std::string_view field) {
    auto it = body.find(field);
    if (it == body.end() || it->value().is_null()) return std::optional<std::int64_t>();
    if (!it->value().is_int64()) {
        return Fail(Error::InvalidArgument(fmt::format("{} must be a whole number", field))
                        .With("field", std::string(field)));
    }
    return std::optional<std::int64_t>(it->value().as_int64());
}

json::value PartJson(const std::optional<std::string>& part) {
    if (!part) return nullptr;
    return json::string(*part);
}

}  // namespace

void RegisterTemplateRoutes(Router& router, const ApiContext& ctx) {
    router.Add("POST", "/api/v1/templates/validate",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto body = ParseObject(req);
                   if (!body) return Fail(body.error());
                   if (auto st = OnlyFields(*body, {"subject", "html", "text"}); !st) {
                       return Fail(st.error());
                   }
                   auto parts = ReadParts(*body);
                   if (!parts) return Fail(parts.error());
                   auto result = ctx.templates.Validate(actor, *parts);
                   if (!result) return Fail(result.error());
                   if (!result->errors.empty()) {
                       // The first error (subject, then html, then text).
                       const auto& e = result->errors.front();
                       return Fail(Error::InvalidArgument(fmt::format("{}: {}", e.part, e.message))
                                       .With("part", e.part)
                                       .With("line", std::to_string(e.line))
                                       .With("column", std::to_string(e.column))
                                       .With("excerpt", e.excerpt));
                   }
                   json::array fields;
                   for (const auto& f : result->fields) fields.emplace_back(f);
                   return JsonResponse(200, json::object{{"valid", true},
                                                         {"fields", std::move(fields)},
                                                         {"wholeProfile", result->whole_profile}});
               }));

    router.Add(
        "POST", "/api/v1/templates/render",
        Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
            auto body = ParseObject(req);
            if (!body) return Fail(body.error());
            if (auto st = OnlyFields(
                    *body, {"subject", "html", "text", "profileId", "testProfileId", "context"});
                !st) {
                return Fail(st.error());
            }
            auto parts = ReadParts(*body);
            if (!parts) return Fail(parts.error());
            service::PreviewData data;
            auto profile_id = OptionalId(*body, "profileId");
            if (!profile_id) return Fail(profile_id.error());
            data.profile_id = *profile_id;
            auto test_profile_id = OptionalId(*body, "testProfileId");
            if (!test_profile_id) return Fail(test_profile_id.error());
            data.test_profile_id = *test_profile_id;
            if (auto it = body->find("context"); it != body->end() && !it->value().is_null()) {
                if (!it->value().is_object()) {
                    return Fail(Error::InvalidArgument(
                                    "context must be an object: {\"profile\", \"event\", "
                                    "\"target\", \"delivery\"}")
                                    .With("field", "context"));
                }
                data.context = it->value().as_object();
            }
            auto rendered = ctx.templates.Render(actor, *parts, data);
            if (!rendered) return Fail(rendered.error());
            return JsonResponse(200, json::object{{"subject", PartJson(rendered->subject)},
                                                  {"html", PartJson(rendered->html)},
                                                  {"text", PartJson(rendered->text)}});
        }));
}

}  // namespace overture::http
