// GET /api/v1/exports/{name}: a resource as CSV, with ?columns=a,b,c, ?q= and field filters.
#include <fmt/format.h>

#include "common/strings.hpp"
#include "http/api.hpp"
#include "http/auth_context.hpp"
#include "http/json.hpp"
#include "importexport/csv_writer.hpp"

namespace overture::http {

void RegisterExportRoutes(Router& router, const ApiContext& ctx) {
    router.Add("GET", "/api/v1/exports/{name}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   service::ExportRequest request;
                   request.resource = std::string(req.PathParam("name"));
                   for (auto c : Split(req.QueryParam("columns"), ',')) {
                       if (!Trim(c).empty()) request.columns.emplace_back(Trim(c));
                   }
                   request.filter.search = std::string(req.QueryParam("q"));
                   for (const auto& [k, v] : req.query) {
                       if (k == "filter") {
                           request.filter.filter = v;
                       } else if (k != "columns" && k != "q") {
                           request.filter.equals.emplace_back(k, v);
                       }
                   }
                   // The response is built in memory; the CLI (`overture export`) streams to a
                   // file for very large exports.
                   std::string body;
                   importexport::CsvWriter writer;
                   writer.OpenString(&body);
                   auto n = ctx.exports.Export(actor, request, writer);
                   if (!n) return Fail(n.error());
                   Response r;
                   r.status = 200;
                   r.body = std::move(body);
                   r.SetHeader("Content-Type", "text/csv; charset=utf-8");
                   r.SetHeader("Content-Disposition",
                               fmt::format("attachment; filename=\"{}.csv\"", request.resource));
                   r.SetHeader("X-Record-Count", std::to_string(*n));
                   return r;
               }));
}

}  // namespace overture::http
