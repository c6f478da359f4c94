// Content fragments (docs/deliveries.md, "Content fragments"): GET/POST /api/v1/fragments,
// GET /api/v1/fragments/_count, GET/PATCH/DELETE /api/v1/fragments/{id}.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "http/api.hpp"
#include "http/auth_context.hpp"
#include "http/json.hpp"
#include "service/fragments.hpp"

namespace overture::http {

namespace json = boost::json;
using service::FragmentId;

namespace {

json::object FragmentJson(const service::Fragment& f) {
    json::object o;
    o["id"] = f.id.value();
    o["name"] = f.name;
    o["label"] = f.label;
    o["description"] = f.description;
    o["source"] = f.source;
    o["createdAt"] = TimeJson(f.created_at);
    o["createdBy"] = f.created_by;
    o["modifiedAt"] = TimeJson(f.modified_at);
    o["modifiedBy"] = f.modified_by;
    return o;
}

Result<const service::FragmentService*> Fragments(const ApiContext& ctx) {
    if (!ctx.fragments) return Fail(Error::Unavailable("content fragments are not available"));
    return ctx.fragments;
}

Result<FragmentId> IdParam(const Request& req) {
    auto id = PathId(req, "id", "content fragment");
    if (!id) return Fail(id.error());
    return FragmentId(*id);
}

std::string SearchParam(const Request& req) { return std::string(req.QueryParam("q")); }

}  // namespace

void RegisterFragmentRoutes(Router& router, const ApiContext& ctx) {
    router.Add("GET", "/api/v1/fragments",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Fragments(ctx);
                   if (!svc) return Fail(svc.error());
                   auto page = PageFromQuery(req);
                   if (!page) return Fail(page.error());
                   auto list = (*svc)->List(actor, {*page, SearchParam(req)});
                   if (!list) return Fail(list.error());
                   return ItemsResponse(*list, FragmentJson);
               }));

    router.Add("GET", "/api/v1/fragments/_count",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Fragments(ctx);
                   if (!svc) return Fail(svc.error());
                   auto count = (*svc)->Count(actor, SearchParam(req));
                   if (!count) return Fail(count.error());
                   return CountResponse(*count);
               }));

    router.Add(
        "POST", "/api/v1/fragments",
        Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
            auto svc = Fragments(ctx);
            if (!svc) return Fail(svc.error());
            auto body = ParseObject(req);
            if (!body) return Fail(body.error());
            if (auto st = OnlyFields(*body, {"name", "label", "description", "source"}); !st) {
                return Fail(st.error());
            }
            service::NewFragment in;
            auto name = RequiredString(*body, "name");
            if (!name) return Fail(name.error());
            in.name = std::move(*name);
            auto source = RequiredString(*body, "source");
            if (!source) return Fail(source.error());
            in.source = std::move(*source);
            auto label = OptionalString(*body, "label");
            if (!label) return Fail(label.error());
            in.label = label->value_or("");
            auto description = OptionalString(*body, "description");
            if (!description) return Fail(description.error());
            in.description = description->value_or("");
            auto f = (*svc)->Create(actor, in);
            if (!f) return Fail(f.error());
            auto response = JsonResponse(201, FragmentJson(*f));
            response.SetHeader("Location", fmt::format("/api/v1/fragments/{}", f->id.value()));
            return response;
        }));

    router.Add("GET", "/api/v1/fragments/{id}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Fragments(ctx);
                   if (!svc) return Fail(svc.error());
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   auto f = (*svc)->Get(actor, *id);
                   if (!f) return Fail(f.error());
                   return JsonResponse(200, FragmentJson(*f));
               }));

    router.Add("PATCH", "/api/v1/fragments/{id}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Fragments(ctx);
                   if (!svc) return Fail(svc.error());
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   auto body = ParseObject(req);
                   if (!body) return Fail(body.error());
                   if (auto st = OnlyFields(*body, {"label", "description", "source"}); !st) {
                       return Fail(st.error());
                   }
                   service::FragmentPatch patch;
                   auto label = OptionalString(*body, "label");
                   if (!label) return Fail(label.error());
                   patch.label = std::move(*label);
                   auto description = OptionalString(*body, "description");
                   if (!description) return Fail(description.error());
                   patch.description = std::move(*description);
                   auto source = OptionalString(*body, "source");
                   if (!source) return Fail(source.error());
                   patch.source = std::move(*source);
                   auto f = (*svc)->Update(actor, *id, patch);
                   if (!f) return Fail(f.error());
                   return JsonResponse(200, FragmentJson(*f));
               }));

    router.Add("DELETE", "/api/v1/fragments/{id}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Fragments(ctx);
                   if (!svc) return Fail(svc.error());
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   if (auto st = (*svc)->Delete(actor, *id); !st) return Fail(st.error());
                   return Response::NoContent();
               }));
}

}  // namespace overture::http
