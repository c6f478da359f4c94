// Audiences (docs/audiences.md): GET/POST /api/v1/audiences, GET /api/v1/audiences/_count,
// GET/PATCH/DELETE /api/v1/audiences/{id}, POST /api/v1/audiences/{id}/count and /preview,
// GET /api/v1/audiences/{id}/export (CSV), POST/DELETE /api/v1/audiences/{id}/members (a CSV
// file of profiles for list audiences).
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>

#include "common/strings.hpp"
#include "http/api.hpp"
#include "http/auth_context.hpp"
#include "http/json.hpp"
#include "importexport/csv_writer.hpp"
#include "schema/dates.hpp"

namespace overture::http {

namespace json = boost::json;
using service::AudienceId;

namespace {

json::object AudienceJson(const service::Audience& a) {
    json::object o;
    o["id"] = a.id.value();
    o["label"] = a.label;
    o["description"] = a.description;
    o["kind"] = service::AudienceKindName(a.kind);
    o["resource"] = a.resource;
    o["expression"] = a.expression ? json::value(*a.expression) : json::value(nullptr);
    o["json"] = a.json ? *a.json : json::value(nullptr);
    o["expiresAt"] = TimeJson(a.expires_at);
    o["expired"] = a.expired;
    o["memberCount"] = a.member_count ? json::value(*a.member_count) : json::value(nullptr);
    o["createdAt"] = TimeJson(a.created_at);
    o["createdBy"] = a.created_by;
    o["modifiedAt"] = TimeJson(a.modified_at);
    o["modifiedBy"] = a.modified_by;
    return o;
}

// "expiresAt": an ISO 8601 date-time (or a date: midnight UTC), or null for never.
Result<std::optional<TimePoint>> ExpiresAt(const json::value& v) {
    if (v.is_null()) return std::optional<TimePoint>();
    if (!v.is_string()) {
        return Fail(Error::InvalidArgument("expiresAt must be an ISO 8601 date-time or null")
                        .With("field", "expiresAt"));
    }
    auto canonical = schema::ParseIsoDateTime(v.as_string());
    if (!canonical) {
        return Fail(Error::InvalidArgument(fmt::format("expiresAt: {}", canonical.error().message))
                        .With("field", "expiresAt"));
    }
    return std::optional<TimePoint>(FromCanonicalTime(*canonical));
}

// "expression" (text) and "json" (the JSON form) of a body.
Result<service::AudienceExpression> ExpressionOf(const json::object& body) {
    service::AudienceExpression e;
    auto text = OptionalString(body, "expression");
    if (!text) return Fail(text.error());
    e.text = std::move(*text);
    if (auto it = body.find("json"); it != body.end() && !it->value().is_null()) {
        e.json = it->value();
    }
    return e;
}

Result<service::AudienceListQuery> ListQueryOf(const Request& req) {
    service::AudienceListQuery q;
    auto page = PageFromQuery(req);
    if (!page) return Fail(page.error());
    q.page = *page;
    q.search = std::string(req.QueryParam("q"));
    if (req.HasQueryParam("expired")) {
        auto v = req.QueryParam("expired");
        if (v == "true") {
            q.expired = true;
        } else if (v == "false") {
            q.expired = false;
        } else {
            return Fail(
                Error::InvalidArgument("expired must be true or false").With("field", "expired"));
        }
    }
    return q;
}

Result<AudienceId> IdParam(const Request& req) {
    auto id = PathId(req, "id", "audience");
    if (!id) return Fail(id.error());
    return AudienceId(*id);
}

// The body of count and preview may be empty.
Result<json::object> OptionalObject(const Request& req) {
    if (Trim(req.body).empty()) return json::object();
    return ParseObject(req);
}

Result<std::vector<std::string>> Columns(const json::object& body) {
    std::vector<std::string> out;
    auto it = body.find("columns");
    if (it == body.end() || it->value().is_null()) return out;
    auto bad = [] {
        return Error::InvalidArgument("columns must be an array of fields")
            .With("field", "columns");
    };
    if (!it->value().is_array()) return Fail(bad());
    for (const auto& c : it->value().as_array()) {
        if (!c.is_string()) return Fail(bad());
        out.emplace_back(c.as_string());
    }
    return out;
}

}  // namespace

void RegisterAudienceRoutes(Router& router, const ApiContext& ctx) {
    router.Add("GET", "/api/v1/audiences",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto q = ListQueryOf(req);
                   if (!q) return Fail(q.error());
                   auto page = ctx.audiences.List(actor, *q);
                   if (!page) return Fail(page.error());
                   return ItemsResponse(*page, AudienceJson);
               }));

    router.Add("GET", "/api/v1/audiences/_count",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto q = ListQueryOf(req);
                   if (!q) return Fail(q.error());
                   auto count = ctx.audiences.Count(actor, *q);
                   if (!count) return Fail(count.error());
                   return CountResponse(*count);
               }));

    router.Add("POST", "/api/v1/audiences",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto body = ParseObject(req);
                   if (!body) return Fail(body.error());
                   if (auto st = OnlyFields(*body, {"label", "description", "kind", "resource",
                                                    "expression", "json", "expiresAt"});
                       !st) {
                       return Fail(st.error());
                   }
                   service::NewAudience in;
                   auto label = RequiredString(*body, "label");
                   if (!label) return Fail(label.error());
                   in.label = std::move(*label);
                   auto description = OptionalString(*body, "description");
                   if (!description) return Fail(description.error());
                   in.description = description->value_or("");
                   auto kind = RequiredString(*body, "kind");
                   if (!kind) return Fail(kind.error());
                   if (*kind == "query") {
                       in.kind = service::AudienceKind::kQuery;
                   } else if (*kind == "list") {
                       in.kind = service::AudienceKind::kList;
                   } else {
                       return Fail(Error::InvalidArgument("kind must be \"query\" or \"list\"")
                                       .With("field", "kind"));
                   }
                   auto resource = OptionalString(*body, "resource");
                   if (!resource) return Fail(resource.error());
                   in.resource = resource->value_or("profile");
                   auto expression = ExpressionOf(*body);
                   if (!expression) return Fail(expression.error());
                   in.expression = std::move(*expression);
                   if (auto it = body->find("expiresAt"); it != body->end()) {
                       auto at = ExpiresAt(it->value());
                       if (!at) return Fail(at.error());
                       in.expires_at = *at;
                   }
                   auto a = ctx.audiences.Create(actor, in);
                   if (!a) return Fail(a.error());
                   auto response = JsonResponse(201, AudienceJson(*a));
                   response.SetHeader("Location",
                                      fmt::format("/api/v1/audiences/{}", a->id.value()));
                   return response;
               }));

    router.Add("GET", "/api/v1/audiences/{id}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   auto a = ctx.audiences.Get(actor, *id);
                   if (!a) return Fail(a.error());
                   return JsonResponse(200, AudienceJson(*a));
               }));

    router.Add("PATCH", "/api/v1/audiences/{id}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   auto body = ParseObject(req);
                   if (!body) return Fail(body.error());
                   if (auto st = OnlyFields(
                           *body, {"label", "description", "expression", "json", "expiresAt"});
                       !st) {
                       return Fail(st.error());
                   }
                   service::AudiencePatch patch;
                   auto label = OptionalString(*body, "label");
                   if (!label) return Fail(label.error());
                   patch.label = std::move(*label);
                   auto description = OptionalString(*body, "description");
                   if (!description) return Fail(description.error());
                   patch.description = std::move(*description);
                   auto expression = ExpressionOf(*body);
                   if (!expression) return Fail(expression.error());
                   patch.expression = std::move(*expression);
                   if (auto it = body->find("expiresAt"); it != body->end()) {
                       auto at = ExpiresAt(it->value());
                       if (!at) return Fail(at.error());
                       patch.expires_at = *at;
                   }
                   auto a = ctx.audiences.Update(actor, *id, patch);
                   if (!a) return Fail(a.error());
                   return JsonResponse(200, AudienceJson(*a));
               }));

    router.Add("DELETE", "/api/v1/audiences/{id}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   if (auto st = ctx.audiences.Delete(actor, *id); !st) return Fail(st.error());
                   return Response::NoContent();
               }));

    router.Add("POST", "/api/v1/audiences/{id}/count",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   auto body = OptionalObject(req);
                   if (!body) return Fail(body.error());
                   if (auto st = OnlyFields(*body, {}); !st) return Fail(st.error());
                   auto count = ctx.audiences.CountMembers(actor, *id);
                   if (!count) return Fail(count.error());
                   return CountResponse(*count);
               }));

    router.Add("POST", "/api/v1/audiences/{id}/preview",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   auto body = OptionalObject(req);
                   if (!body) return Fail(body.error());
                   if (auto st = OnlyFields(*body, {"columns", "limit"}); !st)
                       return Fail(st.error());
                   auto columns = Columns(*body);
                   if (!columns) return Fail(columns.error());
                   int limit = 20;
                   if (auto it = body->find("limit"); it != body->end() && !it->value().is_null()) {
                       if (!it->value().is_int64()) {
                           return Fail(Error::InvalidArgument("limit must be a whole number")
                                           .With("field", "limit"));
                       }
                       limit = static_cast<int>(
                           std::clamp<std::int64_t>(it->value().as_int64(), 0, 1'000'000));
                   }
                   auto items = ctx.audiences.Preview(actor, *id, *columns, limit);
                   if (!items) return Fail(items.error());
                   json::array out;
                   for (auto& item : *items) out.push_back(std::move(item));
                   return JsonResponse(200, json::object{{"items", std::move(out)}});
               }));

    router.Add("GET", "/api/v1/audiences/{id}/export",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   std::vector<std::string> columns;
                   for (auto c : Split(req.QueryParam("columns"), ',')) {
                       if (!Trim(c).empty()) columns.emplace_back(Trim(c));
                   }
                   // Built in memory, like GET /api/v1/exports/{name}.
                   std::string body;
                   importexport::CsvWriter writer;
                   writer.OpenString(&body);
                   auto n = ctx.audiences.Export(actor, *id, columns, writer);
                   if (!n) return Fail(n.error());
                   Response r;
                   r.status = 200;
                   r.body = std::move(body);
                   r.SetHeader("Content-Type", "text/csv; charset=utf-8");
                   r.SetHeader(
                       "Content-Disposition",
                       fmt::format("attachment; filename=\"audience-{}.csv\"", id->value()));
                   r.SetHeader("X-Record-Count", std::to_string(*n));
                   return r;
               }));

    router.Add("POST", "/api/v1/audiences/{id}/members",
               Authed(ctx,
                      [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                          auto id = IdParam(req);
                          if (!id) return Fail(id.error());
                          auto out =
                              ctx.audiences.AddMembers(actor, *id, req.body, req.QueryParam("key"));
                          if (!out) return Fail(out.error());
                          json::array rejects;
                          for (const auto& r : out->rejects) {
                              rejects.push_back(json::object{
                                  {"line", r.line}, {"value", r.value}, {"reason", r.reason}});
                          }
                          return JsonResponse(200, json::object{{"key", out->key},
                                                                {"added", out->added},
                                                                {"alreadyMembers", out->already},
                                                                {"unmatched", out->unmatched},
                                                                {"rejected", out->rejected},
                                                                {"rejects", std::move(rejects)}});
                      }),
               static_cast<std::size_t>(ctx.config.http.max_upload_bytes));

    router.Add("DELETE", "/api/v1/audiences/{id}/members",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   auto removed = ctx.audiences.ClearMembers(actor, *id);
                   if (!removed) return Fail(removed.error());
                   return JsonResponse(200, json::object{{"removed", *removed}});
               }));
}

}  // namespace overture::http
