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
    q.filter = std::string(req.QueryParam("filter"));
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

using OnResourceFn =
    std::function<Result<Response>(Request&, const service::Actor&, const std::string& resource)>;
using OnRecordFn = std::function<Result<Response>(Request&, const service::Actor&,
                                                  const std::string& resource, std::int64_t id)>;

// A handler for a whole resource: authenticated, with the resource resolved.
Handler OnResource(const ApiContext& ctx, ResourceOf resource_of, OnResourceFn fn) {
    return Authed(ctx,
                  [resource_of = std::move(resource_of), fn = std::move(fn)](
                      Request& req, const service::Actor& actor) -> Result<Response> {
                      auto resource = resource_of(req);
                      if (!resource) return Fail(resource.error());
                      return fn(req, actor, *resource);
                  });
}

// A handler for one record: as OnResource, plus the {id} path parameter.
Handler OnRecord(const ApiContext& ctx, ResourceOf resource_of, OnRecordFn fn) {
    return OnResource(ctx, std::move(resource_of),
                      [fn = std::move(fn)](Request& req, const service::Actor& actor,
                                           const std::string& resource) -> Result<Response> {
                          auto id = PathId(req, "id", resource);
                          if (!id) return Fail(id.error());
                          return fn(req, actor, resource, *id);
                      });
}

void RegisterCrud(Router& router, const ApiContext& ctx, const std::string& base,
                  ResourceOf resource_of) {
    const auto& records = ctx.records;
    router.Add("GET", base,
               OnResource(ctx, resource_of,
                          [&records](Request& req, const service::Actor& actor,
                                     const std::string& resource) -> Result<Response> {
                              auto q = ListQueryFrom(req);
                              if (!q) return Fail(q.error());
                              auto page = records.List(actor, resource, *q);
                              if (!page) return Fail(page.error());
                              json::array items;
                              for (auto& item : page->items) items.push_back(std::move(item));
                              return PageResponse(std::move(items), page->next);
                          }));
    router.Add("GET", base + "/_count",
               OnResource(ctx, resource_of,
                          [&records](Request& req, const service::Actor& actor,
                                     const std::string& resource) -> Result<Response> {
                              auto q = ListQueryFrom(req);
                              if (!q) return Fail(q.error());
                              auto count = records.Count(actor, resource, *q);
                              if (!count) return Fail(count.error());
                              return CountResponse(*count);
                          }));
    router.Add("POST", base,
               OnResource(ctx, resource_of,
                          [&records](Request& req, const service::Actor& actor,
                                     const std::string& resource) -> Result<Response> {
                              auto body = ParseObject(req);
                              if (!body) return Fail(body.error());
                              auto record = records.Create(actor, resource, *body);
                              if (!record) return Fail(record.error());
                              auto response = JsonResponse(201, *record);
                              response.SetHeader(
                                  "Location",
                                  fmt::format("{}/{}", req.path, record->at("id").as_int64()));
                              return response;
                          }));
    router.Add(
        "GET", base + "/{id}",
        OnRecord(ctx, resource_of,
                 [&records](Request&, const service::Actor& actor, const std::string& resource,
                            std::int64_t id) -> Result<Response> {
                     auto record = records.Get(actor, resource, id);
                     if (!record) return Fail(record.error());
                     return JsonResponse(200, *record);
                 }));
    router.Add(
        "PATCH", base + "/{id}",
        OnRecord(ctx, resource_of,
                 [&records](Request& req, const service::Actor& actor, const std::string& resource,
                            std::int64_t id) -> Result<Response> {
                     auto body = ParseObject(req);
                     if (!body) return Fail(body.error());
                     auto record = records.Update(actor, resource, id, *body);
                     if (!record) return Fail(record.error());
                     return JsonResponse(200, *record);
                 }));
    router.Add(
        "DELETE", base + "/{id}",
        OnRecord(ctx, resource_of,
                 [&records](Request&, const service::Actor& actor, const std::string& resource,
                            std::int64_t id) -> Result<Response> {
                     if (auto st = records.Delete(actor, resource, id); !st) {
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
