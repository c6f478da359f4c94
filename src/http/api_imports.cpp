// Imports: POST /api/v1/imports/uploads (the file as the body), POST /api/v1/imports/{id}/start,
// GET /api/v1/imports, GET /api/v1/imports/{id}, GET /api/v1/imports/{id}/rejects,
// POST /api/v1/imports/{id}/cancel.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>
#include <fstream>
#include <sstream>

#include "http/api.hpp"
#include "http/auth_context.hpp"
#include "http/json.hpp"

namespace overture::http {

namespace json = boost::json;

namespace {

// The server's own file paths are not for clients.
json::object Public(json::object o) {
    o.erase("filePath");
    return o;
}

}  // namespace

void RegisterImportRoutes(Router& router, const ApiContext& ctx) {
    router.Add("POST", "/api/v1/imports/uploads",
               Authed(ctx,
                      [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                          auto name = req.QueryParam("filename");
                          auto out = ctx.imports.Upload(actor, name.empty() ? "upload.csv" : name,
                                                        req.body, req.QueryParam("resource"));
                          if (!out) return Fail(out.error());
                          return JsonResponse(201, Public(std::move(*out)));
                      }),
               static_cast<std::size_t>(ctx.config.http.max_upload_bytes));

    router.Add("POST", "/api/v1/imports/{id}/start",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = PathId(req, "id", "import");
                   if (!id) return Fail(id.error());
                   auto body = ParseObject(req);
                   if (!body) return Fail(body.error());
                   auto out = ctx.imports.Start(actor, *id, *body);
                   if (!out) return Fail(out.error());
                   return JsonResponse(202, Public(std::move(*out)));
               }));

    router.Add("GET", "/api/v1/imports",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto page = PageFromQuery(req);
                   if (!page) return Fail(page.error());
                   auto list = ctx.imports.List(actor, *page);
                   if (!list) return Fail(list.error());
                   json::array items;
                   for (auto& item : list->items) items.push_back(Public(std::move(item)));
                   return PageResponse(std::move(items), list->next);
               }));

    router.Add("GET", "/api/v1/imports/{id}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = PathId(req, "id", "import");
                   if (!id) return Fail(id.error());
                   auto out = ctx.imports.Get(actor, *id);
                   if (!out) return Fail(out.error());
                   return JsonResponse(200, Public(std::move(*out)));
               }));

    router.Add("GET", "/api/v1/imports/{id}/rejects",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = PathId(req, "id", "import");
                   if (!id) return Fail(id.error());
                   auto path = ctx.imports.RejectsFile(actor, *id);
                   if (!path) return Fail(path.error());
                   std::ifstream in(*path, std::ios::binary);
                   std::ostringstream text;
                   text << in.rdbuf();
                   Response r;
                   r.status = 200;
                   r.body = text.str();
                   r.SetHeader("Content-Type", "text/csv; charset=utf-8");
                   r.SetHeader("Content-Disposition",
                               fmt::format("attachment; filename=\"import-{}-rejects.csv\"", *id));
                   return r;
               }));

    router.Add("POST", "/api/v1/imports/{id}/cancel",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = PathId(req, "id", "import");
                   if (!id) return Fail(id.error());
                   if (auto st = ctx.imports.Cancel(actor, *id); !st) return Fail(st.error());
                   return Response::NoContent();
               }));
}

}  // namespace overture::http
