// Reports (docs/reports.md): GET /api/v1/deliveries/{id}/report, its CSV files
// (GET /api/v1/deliveries/{id}/report/{file}, file = <table>.csv), the hot-clicks view
// (GET /api/v1/deliveries/{id}/hot-clicks), the report across deliveries
// (GET /api/v1/reports/deliveries and /api/v1/reports/deliveries.csv) and a profile's tracking
// history (GET /api/v1/profiles/{id}/tracking).
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>
#include <chrono>

#include "http/api.hpp"
#include "http/auth_context.hpp"
#include "http/json.hpp"
#include "reporting/reports.hpp"
#include "schema/dates.hpp"
#include "service/reports.hpp"

namespace overture::http {

namespace json = boost::json;

namespace {

Result<const service::ReportService*> Reports(const ApiContext& ctx) {
    if (!ctx.reports) return Fail(Error::Unavailable("reports are not available"));
    return ctx.reports;
}

// ?from=&to=&limit= of the cross-delivery report.
Result<service::DeliveryRange> RangeOf(const Request& req) {
    service::DeliveryRange range;
    auto from = TimeQueryParam(req, "from");
    if (!from) return Fail(from.error());
    range.from = *from;
    auto to = TimeQueryParam(req, "to");
    if (!to) return Fail(to.error());
    range.to = *to;
    if (req.HasQueryParam("limit")) {
        auto text = req.QueryParam("limit");
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), range.limit);
        if (ec != std::errc() || p != text.data() + text.size()) {
            return Fail(Error::InvalidField("limit", "limit must be a whole number"));
        }
    }
    return range;
}

Response CsvResponse(std::string body, std::string_view filename) {
    Response r;
    r.status = 200;
    r.body = std::move(body);
    r.SetHeader("Content-Type", "text/csv; charset=utf-8");
    r.SetHeader("Content-Disposition", fmt::format("attachment; filename=\"{}\"", filename));
    return r;
}

json::value OptionalText(const std::optional<std::string>& s) {
    return s ? json::value(*s) : json::value(nullptr);
}

json::object TrackingJson(const reporting::TrackingEntry& e) {
    return json::object{{"id", e.id},
                        {"deliveryId", e.delivery_id},
                        {"deliveryLabel", e.delivery_label},
                        {"kind", e.kind},
                        {"linkId", e.link_id ? json::value(*e.link_id) : json::value(nullptr)},
                        {"linkLabel", OptionalText(e.link_label)},
                        {"url", OptionalText(e.url)},
                        {"machine", e.machine},
                        {"device", e.device},
                        {"client", e.client},
                        {"at", TimeJson(e.at)}};
}

}  // namespace

void RegisterReportRoutes(Router& router, const ApiContext& ctx) {
    router.Add("GET", "/api/v1/deliveries/{id}/report",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Reports(ctx);
                   if (!svc) return Fail(svc.error());
                   auto id = PathId(req, "id", "delivery");
                   if (!id) return Fail(id.error());
                   auto report = (*svc)->DeliveryReport(actor, *id);
                   if (!report) return Fail(report.error());
                   return JsonResponse(200, reporting::ReportJson(*report));
               }));

    router.Add(
        "GET", "/api/v1/deliveries/{id}/report/{file}",
        Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
            auto svc = Reports(ctx);
            if (!svc) return Fail(svc.error());
            auto id = PathId(req, "id", "delivery");
            if (!id) return Fail(id.error());
            std::string_view file = req.PathParam("file");
            if (!file.ends_with(".csv")) {
                return Fail(Error::NotFound(
                    fmt::format("there is no report file '{}': the files are <table>.csv", file)));
            }
            std::string_view table = file.substr(0, file.size() - 4);
            auto csv = (*svc)->DeliveryReportCsv(actor, *id, table);
            if (!csv) return Fail(csv.error());
            return CsvResponse(std::move(*csv), fmt::format("delivery-{}-{}.csv", *id, table));
        }));

    router.Add(
        "GET", "/api/v1/deliveries/{id}/hot-clicks",
        Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
            auto svc = Reports(ctx);
            if (!svc) return Fail(svc.error());
            auto id = PathId(req, "id", "delivery");
            if (!id) return Fail(id.error());
            auto view = (*svc)->HotClicksView(actor, *id);
            if (!view) return Fail(view.error());
            return JsonResponse(
                200,
                json::object{{"html", view->html},
                             {"links", reporting::TableJson(reporting::LinksTable(view->links))}});
        }));

    router.Add("GET", "/api/v1/reports/deliveries",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Reports(ctx);
                   if (!svc) return Fail(svc.error());
                   auto range = RangeOf(req);
                   if (!range) return Fail(range.error());
                   auto list = (*svc)->Deliveries(actor, *range);
                   if (!list) return Fail(list.error());
                   json::array items;
                   for (const auto& d : list->items) {
                       items.push_back(json::object{
                           {"deliveryId", d.delivery_id},
                           {"label", d.label},
                           {"state", d.state},
                           {"startedAt", TimeJson(d.started_at)},
                           {"counts", reporting::CountsJson(d.counts)},
                           {"rates", reporting::RatesJson(reporting::ComputeRates(d.counts))}});
                   }
                   json::object totals{
                       {"counts", reporting::CountsJson(list->totals)},
                       {"rates", reporting::RatesJson(reporting::ComputeRates(list->totals))}};
                   return JsonResponse(200, json::object{{"items", std::move(items)},
                                                         {"totals", std::move(totals)}});
               }));

    router.Add("GET", "/api/v1/reports/deliveries.csv",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Reports(ctx);
                   if (!svc) return Fail(svc.error());
                   auto range = RangeOf(req);
                   if (!range) return Fail(range.error());
                   auto csv = (*svc)->DeliveriesCsv(actor, *range);
                   if (!csv) return Fail(csv.error());
                   return CsvResponse(std::move(*csv), "deliveries-report.csv");
               }));

    router.Add("GET", "/api/v1/profiles/{id}/tracking",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Reports(ctx);
                   if (!svc) return Fail(svc.error());
                   auto id = PathId(req, "id", "profile");
                   if (!id) return Fail(id.error());
                   auto page = PageFromQuery(req);
                   if (!page) return Fail(page.error());
                   auto result = (*svc)->ProfileTracking(actor, *id, *page);
                   if (!result) return Fail(result.error());
                   return ItemsResponse(*result, TrackingJson);
               }));
}

}  // namespace overture::http
