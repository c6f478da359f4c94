// The generic REST API over the data model: /api/v1/profiles, /api/v1/test-profiles,
// /api/v1/services, /api/v1/quarantine and /api/v1/resources/{name} for custom resources.
// Each has: GET list, GET /_count, POST create, GET /{id}, PATCH /{id}, DELETE /{id}.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>

#include "http/api.hpp"
#include "http/auth_context.hpp"
#include "http/json.hpp"

namespace overture::http {

namespace json = boost::json;

namespace {

// Query parameters that are not field filters.
bool IsListParam(std::string_view k) {
    return k == "limit" || k == "cursor" || k == "order" || k == "q" || k == "filter";
}

Result<service::ListQuery> ListQueryFrom(const Request& req) {
    service::ListQuery q;
    auto page = PageFromQuery(req);
    if (!page) return Fail(page.error());
    q.page = *page;
    if (req.HasQueryParam("filter")) {
        return Fail(Error::InvalidArgument(
                        "filter expressions are not available yet; filter on fields with "
                        "?field=value")
                        .With("field", "filter"));
    }
    std::string_view order = req.QueryParam("order");
    if (order.starts_with('-')) {
        q.descending = true;
        order.remove_prefix(1);
    }
    q.sort = std::string(order);
    q.search = std::string(req.QueryParam("q"));
    for (const auto& [k, v] : req.query) {
        if (!IsListParam(k)) q.equals.emplace_back(k, v);
    }
    return q;
}

Result<std::int64_t> IdFrom(const Request& req, std::string_view resource) {
    auto text = req.PathParam("id");
    std::int64_t id = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || p != text.data() + text.size() || id <= 0) {
        return Fail(Error::NotFound(fmt::format("there is no {} with id '{}'", resource, text)));
    }
    return id;
}

// The resource a request is about: fixed for the built-in paths, the {name} path parameter
// for /api/v1/resources/{name} (custom resources only: built-ins have their own paths).
using ResourceOf = std::function<Result<std::string>(const Request&)>;

ResourceOf Fixed(std::string name) {
    return [name](const Request&) -> Result<std::string> { return name; };
}

Result<std::string> CustomResource(const ApiContext& ctx, const Request& req) {
    auto name = std::string(req.PathParam("name"));
    auto model = ctx.schema.Current();
    const auto* r = model->Find(name);
    if (!r || r->builtin) {
        return Fail(Error::NotFound(fmt::format(
            "there is no custom resource named '{}'; built-in resources have their own paths "
            "(/api/v1/profiles, ...)",
            name)));
    }
    return name;
}

void RegisterCrud(Router& router, const ApiContext& ctx, const std::string& base,
                  ResourceOf resource_of) {
    router.Add(
        "GET", base,
        Authed(ctx,
               [&ctx, resource_of](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto resource = resource_of(req);
                   if (!resource) return Fail(resource.error());
                   auto q = ListQueryFrom(req);
                   if (!q) return Fail(q.error());
                   auto page = ctx.records.List(actor, *resource, *q);
                   if (!page) return Fail(page.error());
                   json::array items;
                   for (auto& item : page->items) items.push_back(std::move(item));
                   return PageResponse(std::move(items), page->next);
               }));
    router.Add(
        "GET", base + "/_count",
        Authed(ctx,
               [&ctx, resource_of](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto resource = resource_of(req);
                   if (!resource) return Fail(resource.error());
                   auto q = ListQueryFrom(req);
                   if (!q) return Fail(q.error());
                   auto count = ctx.records.Count(actor, *resource, *q);
                   if (!count) return Fail(count.error());
                   return JsonResponse(200, json::object{{"count", *count}});
               }));
    router.Add("POST", base,
               Authed(ctx,
                      [&ctx, resource_of, base](Request& req,
                                                const service::Actor& actor) -> Result<Response> {
                          auto resource = resource_of(req);
                          if (!resource) return Fail(resource.error());
                          auto body = ParseObject(req);
                          if (!body) return Fail(body.error());
                          auto record = ctx.records.Create(actor, *resource, *body);
                          if (!record) return Fail(record.error());
                          auto location =
                              fmt::format("{}/{}", req.path, record->at("id").as_int64());
                          auto response = JsonResponse(201, *record);
                          response.SetHeader("Location", location);
                          return response;
                      }));
    router.Add(
        "GET", base + "/{id}",
        Authed(ctx,
               [&ctx, resource_of](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto resource = resource_of(req);
                   if (!resource) return Fail(resource.error());
                   auto id = IdFrom(req, *resource);
                   if (!id) return Fail(id.error());
                   auto record = ctx.records.Get(actor, *resource, *id);
                   if (!record) return Fail(record.error());
                   return JsonResponse(200, *record);
               }));
    router.Add(
        "PATCH", base + "/{id}",
        Authed(ctx,
               [&ctx, resource_of](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto resource = resource_of(req);
                   if (!resource) return Fail(resource.error());
                   auto id = IdFrom(req, *resource);
                   if (!id) return Fail(id.error());
                   auto body = ParseObject(req);
                   if (!body) return Fail(body.error());
                   auto record = ctx.records.Update(actor, *resource, *id, *body);
                   if (!record) return Fail(record.error());
                   return JsonResponse(200, *record);
               }));
    router.Add(
        "DELETE", base + "/{id}",
        Authed(ctx,
               [&ctx, resource_of](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto resource = resource_of(req);
                   if (!resource) return Fail(resource.error());
                   auto id = IdFrom(req, *resource);
                   if (!id) return Fail(id.error());
                   if (auto st = ctx.records.Delete(actor, *resource, *id); !st) {
                       return Fail(st.error());
                   }
                   return Response::NoContent();
               }));
}

}  // namespace

void RegisterRecordRoutes(Router& router, const ApiContext& ctx) {
    RegisterCrud(router, ctx, "/api/v1/profiles", Fixed("profile"));
    RegisterCrud(router, ctx, "/api/v1/test-profiles", Fixed("testProfile"));
    RegisterCrud(router, ctx, "/api/v1/services", Fixed("service"));
    RegisterCrud(router, ctx, "/api/v1/quarantine", Fixed("quarantine"));
    RegisterCrud(router, ctx, "/api/v1/resources/{name}",
                 [&ctx](const Request& req) { return CustomResource(ctx, req); });
}

}  // namespace overture::http
