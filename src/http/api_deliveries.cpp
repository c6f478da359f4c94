// Deliveries (docs/deliveries.md): GET/POST /api/v1/deliveries, GET /api/v1/deliveries/_count,
// GET/PATCH/DELETE /api/v1/deliveries/{id}, POST /api/v1/deliveries/{id}/prepare | confirm |
// pause | resume | stop | proof | preview, GET /api/v1/deliveries/{id}/proofs and /logs, the
// sending history of a profile (GET /api/v1/profiles/{id}/deliveries), and typologies
// (GET/POST /api/v1/typologies, GET/PATCH/DELETE /api/v1/typologies/{id}).
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>
#include <chrono>

#include "common/strings.hpp"
#include "http/api.hpp"
#include "http/auth_context.hpp"
#include "http/json.hpp"
#include "schema/dates.hpp"
#include "service/deliveries.hpp"
#include "service/typologies.hpp"

namespace overture::http {

namespace json = boost::json;
using service::DeliveryId;
using service::TypologyId;

namespace {

json::value OptionalInt(const std::optional<std::int64_t>& v) {
    return v ? json::value(*v) : json::value(nullptr);
}

json::object DeliveryJson(const service::Delivery& d) {
    json::object o;
    o["id"] = d.id.value();
    o["label"] = d.label;
    o["channel"] = d.channel;
    o["isTemplate"] = d.is_template;
    o["state"] = delivery::StateName(d.state);
    json::array actions;
    for (auto a : delivery::UserActions(d.state)) {
        // A template is edited, proofed and copied; it is never sent.
        if (d.is_template && a == delivery::Action::kPrepare) continue;
        actions.emplace_back(delivery::ActionName(a));
    }
    o["allowedActions"] = std::move(actions);
    o["routeId"] = OptionalInt(d.route_id);
    o["typologyId"] = OptionalInt(d.typology_id);
    o["content"] = d.content;
    o["audience"] = d.audience;
    o["settings"] = d.settings;
    if (d.preparation) {
        const auto& p = *d.preparation;
        json::array excluded;
        for (const auto& [cause, count] : p.excluded) {
            excluded.push_back(json::object{{"cause", cause}, {"count", count}});
        }
        json::array warnings, errors;
        for (const auto& w : p.warnings) warnings.emplace_back(w);
        for (const auto& e : p.errors) errors.emplace_back(e);
        o["preparation"] = json::object{{"total", p.total},
                                        {"toSend", p.to_send},
                                        {"excluded", std::move(excluded)},
                                        {"warnings", std::move(warnings)},
                                        {"errors", std::move(errors)},
                                        {"preparedAt", TimeJson(p.prepared_at)}};
    } else {
        o["preparation"] = nullptr;
    }
    o["progress"] = json::object{{"done", d.progress_done}, {"total", d.progress_total}};
    const auto& c = d.counters;
    o["counters"] =
        json::object{{"toSend", c.to_send},       {"pending", c.pending},
                     {"retrying", c.retrying},    {"sent", c.sent},
                     {"failed", c.failed},        {"ignored", c.ignored},
                     {"perSecond", c.per_second}, {"etaSeconds", OptionalInt(c.eta_seconds)}};
    o["startAt"] = TimeJson(d.start_at);
    o["validUntil"] = TimeJson(d.valid_until);
    o["confirmedAt"] = TimeJson(d.confirmed_at);
    o["confirmedBy"] = d.confirmed_by.empty() ? json::value(nullptr) : json::value(d.confirmed_by);
    o["startedAt"] = TimeJson(d.started_at);
    o["finishedAt"] = TimeJson(d.finished_at);
    o["proofCount"] = d.proof_count;
    o["failure"] = d.failure.empty() ? json::value(nullptr) : json::value(d.failure);
    o["version"] = d.version;
    o["createdAt"] = TimeJson(d.created_at);
    o["createdBy"] = d.created_by;
    o["modifiedAt"] = TimeJson(d.modified_at);
    o["modifiedBy"] = d.modified_by;
    return o;
}

json::object TypologyJson(const service::Typology& t) {
    json::object o;
    o["id"] = t.id.value();
    o["name"] = t.name;
    o["label"] = t.label;
    o["rules"] = t.rules;
    o["createdAt"] = TimeJson(t.created_at);
    o["createdBy"] = t.created_by;
    o["modifiedAt"] = TimeJson(t.modified_at);
    o["modifiedBy"] = t.modified_by;
    return o;
}

Result<const service::DeliveryService*> Deliveries(const ApiContext& ctx) {
    if (!ctx.deliveries) return Fail(Error::Unavailable("deliveries are not available"));
    return ctx.deliveries;
}

Result<const service::TypologyService*> Typologies(const ApiContext& ctx) {
    if (!ctx.typologies) return Fail(Error::Unavailable("typologies are not available"));
    return ctx.typologies;
}

Result<std::optional<std::int64_t>> OptionalId(const json::object& body, std::string_view field) {
    auto it = body.find(field);
    if (it == body.end() || it->value().is_null()) return std::optional<std::int64_t>();
    if (!it->value().is_int64() || it->value().as_int64() <= 0) {
        return Fail(
            Error::InvalidField(std::string(field), fmt::format("{} must be a positive whole "
                                                                "number",
                                                                field)));
    }
    return std::optional<std::int64_t>(it->value().as_int64());
}

Result<std::optional<json::object>> OptionalObject(const json::object& body,
                                                   std::string_view field) {
    auto it = body.find(field);
    if (it == body.end() || it->value().is_null()) return std::optional<json::object>();
    if (!it->value().is_object()) {
        return Fail(
            Error::InvalidField(std::string(field), fmt::format("{} must be an object", field)));
    }
    return std::optional<json::object>(it->value().as_object());
}

Result<service::DeliveryListQuery> ListQueryOf(const Request& req) {
    service::DeliveryListQuery q;
    auto page = PageFromQuery(req);
    if (!page) return Fail(page.error());
    q.page = *page;
    q.search = std::string(req.QueryParam("q"));
    if (auto states = req.QueryParam("state"); !states.empty()) {
        for (auto name : Split(states, ',')) {
            auto s = delivery::ParseState(Trim(name));
            if (!s) {
                return Fail(Error::InvalidField("state", fmt::format("unknown state '{}'", name)));
            }
            q.states.push_back(*s);
        }
    }
    if (req.HasQueryParam("template")) {
        auto v = req.QueryParam("template");
        if (v == "true") {
            q.templates = true;
        } else if (v == "false") {
            q.templates = false;
        } else {
            return Fail(Error::InvalidField("template", "template must be true or false"));
        }
    }
    auto after = TimeQueryParam(req, "createdAfter");
    if (!after) return Fail(after.error());
    q.created_after = *after;
    auto before = TimeQueryParam(req, "createdBefore");
    if (!before) return Fail(before.error());
    q.created_before = *before;
    return q;
}

Result<DeliveryId> IdParam(const Request& req) {
    auto id = PathId(req, "id", "delivery");
    if (!id) return Fail(id.error());
    return DeliveryId(*id);
}

// The body of a state action or a proof may be empty.
Result<json::object> MaybeObject(const Request& req) {
    if (Trim(req.body).empty()) return json::object();
    return ParseObject(req);
}

json::object LogJson(const service::SendingLogEntry& e) {
    return json::object{{"profileId", e.profile_id},
                        {"address", e.address},
                        {"status", e.status},
                        {"failureType", e.failure_type},
                        {"reason", e.reason},
                        {"detail", e.detail},
                        {"segmentCode", e.segment_code},
                        {"attempts", e.attempts},
                        {"nextAttemptAt", TimeJson(e.next_attempt_at)},
                        {"sentAt", TimeJson(e.sent_at)},
                        {"updatedAt", TimeJson(e.updated_at)}};
}

using Action = Result<service::Delivery> (service::DeliveryService::*)(const service::Actor&,
                                                                       DeliveryId) const;

void RegisterDeliveryRoutes(Router& router, const ApiContext& ctx) {
    router.Add("GET", "/api/v1/deliveries",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Deliveries(ctx);
                   if (!svc) return Fail(svc.error());
                   auto q = ListQueryOf(req);
                   if (!q) return Fail(q.error());
                   auto page = (*svc)->List(actor, *q);
                   if (!page) return Fail(page.error());
                   return ItemsResponse(*page, DeliveryJson);
               }));

    router.Add("GET", "/api/v1/deliveries/_count",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Deliveries(ctx);
                   if (!svc) return Fail(svc.error());
                   auto q = ListQueryOf(req);
                   if (!q) return Fail(q.error());
                   auto count = (*svc)->Count(actor, *q);
                   if (!count) return Fail(count.error());
                   return CountResponse(*count);
               }));

    router.Add(
        "POST", "/api/v1/deliveries",
        Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
            auto svc = Deliveries(ctx);
            if (!svc) return Fail(svc.error());
            auto body = ParseObject(req);
            if (!body) return Fail(body.error());
            if (auto st = OnlyFields(*body, {"label", "isTemplate", "fromDelivery", "routeId",
                                             "typologyId", "content", "audience", "settings"});
                !st) {
                return Fail(st.error());
            }
            service::NewDelivery in;
            auto label = RequiredString(*body, "label");
            if (!label) return Fail(label.error());
            in.label = std::move(*label);
            auto is_template = OptionalBool(*body, "isTemplate");
            if (!is_template) return Fail(is_template.error());
            in.is_template = is_template->value_or(false);
            for (auto [field, out] :
                 {std::pair{"fromDelivery", &in.from_delivery}, std::pair{"routeId", &in.route_id},
                  std::pair{"typologyId", &in.typology_id}}) {
                auto id = OptionalId(*body, field);
                if (!id) return Fail(id.error());
                *out = *id;
            }
            for (auto [field, out] :
                 {std::pair{"content", &in.content}, std::pair{"audience", &in.audience},
                  std::pair{"settings", &in.settings}}) {
                auto o = OptionalObject(*body, field);
                if (!o) return Fail(o.error());
                *out = std::move(*o);
            }
            auto d = (*svc)->Create(actor, in);
            if (!d) return Fail(d.error());
            auto response = JsonResponse(201, DeliveryJson(*d));
            response.SetHeader("Location", fmt::format("/api/v1/deliveries/{}", d->id.value()));
            return response;
        }));

    router.Add("GET", "/api/v1/deliveries/{id}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Deliveries(ctx);
                   if (!svc) return Fail(svc.error());
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   auto d = (*svc)->Get(actor, *id);
                   if (!d) return Fail(d.error());
                   return JsonResponse(200, DeliveryJson(*d));
               }));

    router.Add(
        "PATCH", "/api/v1/deliveries/{id}",
        Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
            auto svc = Deliveries(ctx);
            if (!svc) return Fail(svc.error());
            auto id = IdParam(req);
            if (!id) return Fail(id.error());
            auto body = ParseObject(req);
            if (!body) return Fail(body.error());
            if (auto st = OnlyFields(*body, {"label", "routeId", "typologyId", "content",
                                             "audience", "settings", "version"});
                !st) {
                return Fail(st.error());
            }
            service::DeliveryPatch patch;
            if (body->contains("label")) {
                auto label = RequiredString(*body, "label");
                if (!label) return Fail(label.error());
                patch.label = std::move(*label);
            }
            for (auto [field, out] : {std::pair{"routeId", &patch.route_id},
                                      std::pair{"typologyId", &patch.typology_id}}) {
                if (!body->contains(field)) continue;  // null: back to the default
                auto v = OptionalId(*body, field);
                if (!v) return Fail(v.error());
                *out = *v;
            }
            for (auto [field, out] :
                 {std::pair{"content", &patch.content}, std::pair{"audience", &patch.audience},
                  std::pair{"settings", &patch.settings}}) {
                if (!body->contains(field)) continue;
                auto o = OptionalObject(*body, field);
                if (!o) return Fail(o.error());
                *out = o->value_or(json::object());
            }
            if (body->contains("version")) {
                const auto& v = body->at("version");
                if (!v.is_int64()) {
                    return Fail(Error::InvalidField("version", "version must be a whole number"));
                }
                patch.version = v.as_int64();
            }
            auto d = (*svc)->Update(actor, *id, patch);
            if (!d) return Fail(d.error());
            return JsonResponse(200, DeliveryJson(*d));
        }));

    router.Add("DELETE", "/api/v1/deliveries/{id}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Deliveries(ctx);
                   if (!svc) return Fail(svc.error());
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   if (auto st = (*svc)->Delete(actor, *id); !st) return Fail(st.error());
                   return Response::NoContent();
               }));

    for (auto [name, action] :
         {std::pair<std::string_view, Action>{"prepare", &service::DeliveryService::Prepare},
          {"confirm", &service::DeliveryService::Confirm},
          {"pause", &service::DeliveryService::Pause},
          {"resume", &service::DeliveryService::Resume},
          {"stop", &service::DeliveryService::Stop}}) {
        router.Add(
            "POST", fmt::format("/api/v1/deliveries/{{id}}/{}", name),
            Authed(ctx,
                   [&ctx, action](Request& req, const service::Actor& actor) -> Result<Response> {
                       auto svc = Deliveries(ctx);
                       if (!svc) return Fail(svc.error());
                       auto id = IdParam(req);
                       if (!id) return Fail(id.error());
                       auto d = ((**svc).*action)(actor, *id);
                       if (!d) return Fail(d.error());
                       return JsonResponse(200, DeliveryJson(*d));
                   }));
    }

    router.Add("POST", "/api/v1/deliveries/{id}/proof",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Deliveries(ctx);
                   if (!svc) return Fail(svc.error());
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   auto body = MaybeObject(req);
                   if (!body) return Fail(body.error());
                   if (auto st = OnlyFields(*body, {"testProfileIds"}); !st)
                       return Fail(st.error());
                   std::vector<std::int64_t> ids;
                   if (auto it = body->find("testProfileIds");
                       it != body->end() && !it->value().is_null()) {
                       auto bad = [] {
                           return Error::InvalidField(
                               "testProfileIds",
                               "testProfileIds must be an array of test profile ids");
                       };
                       if (!it->value().is_array()) return Fail(bad());
                       for (const auto& v : it->value().as_array()) {
                           if (!v.is_int64() || v.as_int64() <= 0) return Fail(bad());
                           ids.push_back(v.as_int64());
                       }
                   }
                   auto result = (*svc)->Proof(actor, *id, ids);
                   if (!result) return Fail(result.error());
                   json::array recipients;
                   for (const auto& r : result->recipients) {
                       recipients.push_back(json::object{{"testProfileId", r.test_profile_id},
                                                         {"address", r.address},
                                                         {"status", r.status},
                                                         {"reason", r.reason}});
                   }
                   return JsonResponse(200, json::object{{"number", result->number},
                                                         {"recipients", std::move(recipients)}});
               }));

    router.Add("GET", "/api/v1/deliveries/{id}/proofs",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Deliveries(ctx);
                   if (!svc) return Fail(svc.error());
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   auto proofs = (*svc)->ListProofs(actor, *id);
                   if (!proofs) return Fail(proofs.error());
                   json::array items;
                   for (const auto& p : *proofs) {
                       items.push_back(json::object{{"number", p.number},
                                                    {"testProfileId", p.test_profile_id},
                                                    {"address", p.address},
                                                    {"status", p.status},
                                                    {"reason", p.reason},
                                                    {"sentAt", TimeJson(p.sent_at)},
                                                    {"sentBy", p.sent_by}});
                   }
                   return JsonResponse(200, json::object{{"items", std::move(items)}});
               }));

    router.Add("POST", "/api/v1/deliveries/{id}/preview",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Deliveries(ctx);
                   if (!svc) return Fail(svc.error());
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   auto body = ParseObject(req);
                   if (!body) return Fail(body.error());
                   if (auto st = OnlyFields(*body, {"profileId", "testProfileId"}); !st) {
                       return Fail(st.error());
                   }
                   service::DeliveryPreviewRequest in;
                   auto profile = OptionalId(*body, "profileId");
                   if (!profile) return Fail(profile.error());
                   in.profile_id = *profile;
                   auto test_profile = OptionalId(*body, "testProfileId");
                   if (!test_profile) return Fail(test_profile.error());
                   in.test_profile_id = *test_profile;
                   auto rendered = (*svc)->Preview(actor, *id, in);
                   if (!rendered) return Fail(rendered.error());
                   auto part = [](const std::optional<std::string>& p) {
                       return p ? json::value(*p) : json::value(nullptr);
                   };
                   return JsonResponse(200, json::object{{"subject", part(rendered->subject)},
                                                         {"html", part(rendered->html)},
                                                         {"text", part(rendered->text)}});
               }));

    router.Add("GET", "/api/v1/deliveries/{id}/logs",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Deliveries(ctx);
                   if (!svc) return Fail(svc.error());
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   service::SendingLogQuery q;
                   auto page = PageFromQuery(req);
                   if (!page) return Fail(page.error());
                   q.page = *page;
                   q.status = std::string(req.QueryParam("status"));
                   q.reason = std::string(req.QueryParam("reason"));
                   q.address = std::string(req.QueryParam("address"));
                   auto logs = (*svc)->Logs(actor, *id, q);
                   if (!logs) return Fail(logs.error());
                   return ItemsResponse(*logs, LogJson);
               }));

    router.Add("GET", "/api/v1/profiles/{id}/deliveries",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Deliveries(ctx);
                   if (!svc) return Fail(svc.error());
                   auto id = PathId(req, "id", "profile");
                   if (!id) return Fail(id.error());
                   auto history = (*svc)->ProfileHistory(actor, *id);
                   if (!history) return Fail(history.error());
                   json::array items;
                   for (const auto& e : *history) {
                       items.push_back(json::object{{"deliveryId", e.delivery_id},
                                                    {"deliveryLabel", e.delivery_label},
                                                    {"address", e.address},
                                                    {"status", e.status},
                                                    {"failureType", e.failure_type},
                                                    {"reason", e.reason},
                                                    {"attempts", e.attempts},
                                                    {"sentAt", TimeJson(e.sent_at)},
                                                    {"updatedAt", TimeJson(e.updated_at)}});
                   }
                   return JsonResponse(200, json::object{{"items", std::move(items)}});
               }));
}

Result<TypologyId> TypologyIdParam(const Request& req) {
    auto id = PathId(req, "id", "typology");
    if (!id) return Fail(id.error());
    return TypologyId(*id);
}

Result<std::optional<json::object>> RulesOf(const json::object& body) {
    return OptionalObject(body, "rules");
}

void RegisterTypologyRoutes(Router& router, const ApiContext& ctx) {
    router.Add("GET", "/api/v1/typologies",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Typologies(ctx);
                   if (!svc) return Fail(svc.error());
                   auto page = PageFromQuery(req);
                   if (!page) return Fail(page.error());
                   auto list = (*svc)->List(actor, *page);
                   if (!list) return Fail(list.error());
                   return ItemsResponse(*list, TypologyJson);
               }));

    router.Add("POST", "/api/v1/typologies",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Typologies(ctx);
                   if (!svc) return Fail(svc.error());
                   auto body = ParseObject(req);
                   if (!body) return Fail(body.error());
                   if (auto st = OnlyFields(*body, {"name", "label", "rules"}); !st) {
                       return Fail(st.error());
                   }
                   service::NewTypology in;
                   auto name = RequiredString(*body, "name");
                   if (!name) return Fail(name.error());
                   in.name = std::move(*name);
                   auto label = OptionalString(*body, "label");
                   if (!label) return Fail(label.error());
                   in.label = label->value_or("");
                   auto rules = RulesOf(*body);
                   if (!rules) return Fail(rules.error());
                   in.rules = rules->value_or(json::object());
                   auto t = (*svc)->Create(actor, in);
                   if (!t) return Fail(t.error());
                   auto response = JsonResponse(201, TypologyJson(*t));
                   response.SetHeader("Location",
                                      fmt::format("/api/v1/typologies/{}", t->id.value()));
                   return response;
               }));

    router.Add("GET", "/api/v1/typologies/{id}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Typologies(ctx);
                   if (!svc) return Fail(svc.error());
                   auto id = TypologyIdParam(req);
                   if (!id) return Fail(id.error());
                   auto t = (*svc)->Get(actor, *id);
                   if (!t) return Fail(t.error());
                   return JsonResponse(200, TypologyJson(*t));
               }));

    router.Add("PATCH", "/api/v1/typologies/{id}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Typologies(ctx);
                   if (!svc) return Fail(svc.error());
                   auto id = TypologyIdParam(req);
                   if (!id) return Fail(id.error());
                   auto body = ParseObject(req);
                   if (!body) return Fail(body.error());
                   if (auto st = OnlyFields(*body, {"label", "rules"}); !st) {
                       return Fail(st.error());
                   }
                   service::TypologyPatch patch;
                   auto label = OptionalString(*body, "label");
                   if (!label) return Fail(label.error());
                   patch.label = std::move(*label);
                   auto rules = RulesOf(*body);
                   if (!rules) return Fail(rules.error());
                   patch.rules = std::move(*rules);
                   auto t = (*svc)->Update(actor, *id, patch);
                   if (!t) return Fail(t.error());
                   return JsonResponse(200, TypologyJson(*t));
               }));

    router.Add("DELETE", "/api/v1/typologies/{id}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Typologies(ctx);
                   if (!svc) return Fail(svc.error());
                   auto id = TypologyIdParam(req);
                   if (!id) return Fail(id.error());
                   if (auto st = (*svc)->Delete(actor, *id); !st) return Fail(st.error());
                   return Response::NoContent();
               }));
}

}  // namespace

void RegisterDeliveryApiRoutes(Router& router, const ApiContext& ctx) {
    RegisterDeliveryRoutes(router, ctx);
    RegisterTypologyRoutes(router, ctx);
}

}  // namespace overture::http
