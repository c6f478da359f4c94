// The email channel's administration (docs/email.md): routes (GET/POST /api/v1/routes,
// GET /api/v1/routes/_count, GET/PATCH/DELETE /api/v1/routes/{id}, POST
// /api/v1/routes/{id}/test) and DKIM keys (GET/POST /api/v1/dkim-keys, GET
// /api/v1/dkim-keys/_count, GET/DELETE /api/v1/dkim-keys/{id}), bounces (GET/POST
// /api/v1/bounces, GET /api/v1/bounces/_count) and their rules (GET/POST /api/v1/bounce-rules,
// DELETE /api/v1/bounce-rules/{id}, POST /api/v1/bounce-rules/classify).
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>

#include "http/api.hpp"
#include "http/auth_context.hpp"
#include "http/json.hpp"

namespace overture::http {

namespace json = boost::json;
using service::DkimKeyId;
using service::RouteId;

namespace {

json::object RouteJson(const service::Route& r) {
    json::object o;
    o["id"] = r.id.value();
    o["name"] = r.name;
    o["label"] = r.label;
    o["kind"] = service::RouteKindName(r.kind);
    o["isDefault"] = r.is_default;
    json::object settings = r.settings;
    if (r.kind == service::RouteKind::kSmtp) settings["hasPassword"] = r.has_password;
    o[service::RouteKindName(r.kind)] = std::move(settings);
    o["createdAt"] = TimeJson(r.created_at);
    o["createdBy"] = r.created_by;
    o["modifiedAt"] = TimeJson(r.modified_at);
    o["modifiedBy"] = r.modified_by;
    return o;
}

json::object DkimKeyJson(const service::DkimKey& k) {
    json::object o;
    o["id"] = k.id.value();
    o["domain"] = k.domain;
    o["selector"] = k.selector;
    o["algorithm"] = email::DkimAlgorithmName(k.algorithm);
    o["bits"] = k.bits;
    o["publicKey"] = k.public_key;
    o["dnsName"] = k.dns_name;
    o["dnsRecord"] = k.dns_record;
    json::array strings;
    for (const auto& s : k.txt_strings) strings.emplace_back(s);
    o["txtStrings"] = std::move(strings);
    o["createdAt"] = TimeJson(k.created_at);
    o["createdBy"] = k.created_by;
    return o;
}

// The kind's settings object ("smtp" or "maildir") of a body, with the write-only "password"
// taken out of it.
struct SettingsIn {
    std::optional<json::object> settings;
    std::optional<std::optional<std::string>> password;
};

Result<SettingsIn> SettingsOf(const json::object& body, std::string_view kind) {
    SettingsIn out;
    for (std::string_view name : {"smtp", "maildir"}) {
        auto it = body.find(name);
        if (it == body.end()) continue;
        if (!kind.empty() && name != kind) {
            return Fail(Error::InvalidArgument(
                            fmt::format("\"{}\" settings given to a {} route", name, kind))
                            .With("field", std::string(name)));
        }
        if (!it->value().is_object()) {
            return Fail(Error::InvalidArgument(fmt::format("{} must be an object", name))
                            .With("field", std::string(name)));
        }
        json::object settings = it->value().as_object();
        if (auto p = settings.find("password"); p != settings.end()) {
            if (p->value().is_null()) {
                out.password = std::optional<std::string>();
            } else if (p->value().is_string()) {
                out.password = std::optional<std::string>(std::string(p->value().as_string()));
            } else {
                return Fail(Error::InvalidArgument("smtp.password must be a string or null")
                                .With("field", "smtp.password"));
            }
            settings.erase(p);
        }
        settings.erase("hasPassword");  // what GET shows may be sent back as it is
        out.settings = std::move(settings);
    }
    return out;
}

Result<RouteId> RouteIdParam(const Request& req) {
    auto id = PathId(req, "id", "route");
    if (!id) return Fail(id.error());
    return RouteId(*id);
}

Result<DkimKeyId> KeyIdParam(const Request& req) {
    auto id = PathId(req, "id", "DKIM key");
    if (!id) return Fail(id.error());
    return DkimKeyId(*id);
}

void RegisterRoutes(Router& router, const ApiContext& ctx) {
    router.Add("GET", "/api/v1/routes",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto page = PageFromQuery(req);
                   if (!page) return Fail(page.error());
                   auto routes = ctx.routes.List(actor, *page);
                   if (!routes) return Fail(routes.error());
                   return ItemsResponse(*routes, RouteJson);
               }));
    router.Add("GET", "/api/v1/routes/_count",
               Authed(ctx, [&ctx](Request&, const service::Actor& actor) -> Result<Response> {
                   auto count = ctx.routes.Count(actor);
                   if (!count) return Fail(count.error());
                   return CountResponse(*count);
               }));
    router.Add(
        "POST", "/api/v1/routes",
        Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
            auto body = ParseObject(req);
            if (!body) return Fail(body.error());
            if (auto st =
                    OnlyFields(*body, {"name", "label", "kind", "isDefault", "smtp", "maildir"});
                !st) {
                return Fail(st.error());
            }
            service::NewRoute in;
            auto name = RequiredString(*body, "name");
            if (!name) return Fail(name.error());
            in.name = std::move(*name);
            auto label = OptionalString(*body, "label");
            if (!label) return Fail(label.error());
            in.label = label->value_or("");
            auto kind = RequiredString(*body, "kind");
            if (!kind) return Fail(kind.error());
            in.kind = std::move(*kind);
            auto is_default = OptionalBool(*body, "isDefault");
            if (!is_default) return Fail(is_default.error());
            in.is_default = is_default->value_or(false);
            auto settings = SettingsOf(*body, in.kind);
            if (!settings) return Fail(settings.error());
            in.settings = settings->settings.value_or(json::object());
            if (settings->password) in.password = *settings->password;
            auto route = ctx.routes.Create(actor, in);
            if (!route) return Fail(route.error());
            auto response = JsonResponse(201, RouteJson(*route));
            response.SetHeader("Location", fmt::format("/api/v1/routes/{}", route->id.value()));
            return response;
        }));
    router.Add("GET", "/api/v1/routes/{id}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = RouteIdParam(req);
                   if (!id) return Fail(id.error());
                   auto route = ctx.routes.Get(actor, *id);
                   if (!route) return Fail(route.error());
                   return JsonResponse(200, RouteJson(*route));
               }));
    router.Add(
        "PATCH", "/api/v1/routes/{id}",
        Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
            auto id = RouteIdParam(req);
            if (!id) return Fail(id.error());
            auto body = ParseObject(req);
            if (!body) return Fail(body.error());
            if (auto st = OnlyFields(*body, {"label", "isDefault", "smtp", "maildir"}); !st) {
                return Fail(st.error());
            }
            auto current = ctx.routes.Get(actor, *id);
            if (!current) return Fail(current.error());
            service::RoutePatch patch;
            auto label = OptionalString(*body, "label");
            if (!label) return Fail(label.error());
            patch.label = std::move(*label);
            auto is_default = OptionalBool(*body, "isDefault");
            if (!is_default) return Fail(is_default.error());
            patch.is_default = *is_default;
            auto settings = SettingsOf(*body, service::RouteKindName(current->kind));
            if (!settings) return Fail(settings.error());
            patch.settings = std::move(settings->settings);
            patch.password = std::move(settings->password);
            auto route = ctx.routes.Update(actor, *id, patch);
            if (!route) return Fail(route.error());
            return JsonResponse(200, RouteJson(*route));
        }));
    router.Add("DELETE", "/api/v1/routes/{id}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = RouteIdParam(req);
                   if (!id) return Fail(id.error());
                   if (auto st = ctx.routes.Delete(actor, *id); !st) return Fail(st.error());
                   return Response::NoContent();
               }));
    router.Add("POST", "/api/v1/routes/{id}/test",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = RouteIdParam(req);
                   if (!id) return Fail(id.error());
                   auto result = ctx.routes.Test(actor, *id);
                   if (!result) return Fail(result.error());
                   json::array caps;
                   for (const auto& c : result->capabilities) caps.emplace_back(c);
                   return JsonResponse(200, json::object{{"ok", result->ok},
                                                         {"message", result->message},
                                                         {"capabilities", std::move(caps)}});
               }));
}

void RegisterDkimKeys(Router& router, const ApiContext& ctx) {
    router.Add("GET", "/api/v1/dkim-keys",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto page = PageFromQuery(req);
                   if (!page) return Fail(page.error());
                   auto keys = ctx.dkim_keys.List(actor, *page, req.QueryParam("domain"));
                   if (!keys) return Fail(keys.error());
                   return ItemsResponse(*keys, DkimKeyJson);
               }));
    router.Add("GET", "/api/v1/dkim-keys/_count",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto count = ctx.dkim_keys.Count(actor, req.QueryParam("domain"));
                   if (!count) return Fail(count.error());
                   return CountResponse(*count);
               }));
    router.Add(
        "POST", "/api/v1/dkim-keys",
        Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
            auto body = ParseObject(req);
            if (!body) return Fail(body.error());
            if (auto st =
                    OnlyFields(*body, {"domain", "selector", "algorithm", "bits", "privateKey"});
                !st) {
                return Fail(st.error());
            }
            service::NewDkimKey in;
            auto domain = RequiredString(*body, "domain");
            if (!domain) return Fail(domain.error());
            in.domain = std::move(*domain);
            auto selector = RequiredString(*body, "selector");
            if (!selector) return Fail(selector.error());
            in.selector = std::move(*selector);
            auto algorithm = OptionalString(*body, "algorithm");
            if (!algorithm) return Fail(algorithm.error());
            if (*algorithm) in.algorithm = **algorithm;
            if (auto it = body->find("bits"); it != body->end()) {
                if (!it->value().is_int64()) {
                    return Fail(Error::InvalidArgument("bits must be a whole number")
                                    .With("field", "bits"));
                }
                in.bits = static_cast<int>(it->value().as_int64());
            }
            auto pem = OptionalString(*body, "privateKey");
            if (!pem) return Fail(pem.error());
            in.private_key = std::move(*pem);
            auto key = ctx.dkim_keys.Create(actor, in);
            if (!key) return Fail(key.error());
            auto response = JsonResponse(201, DkimKeyJson(*key));
            response.SetHeader("Location", fmt::format("/api/v1/dkim-keys/{}", key->id.value()));
            return response;
        }));
    router.Add("GET", "/api/v1/dkim-keys/{id}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = KeyIdParam(req);
                   if (!id) return Fail(id.error());
                   auto key = ctx.dkim_keys.Get(actor, *id);
                   if (!key) return Fail(key.error());
                   return JsonResponse(200, DkimKeyJson(*key));
               }));
    router.Add("DELETE", "/api/v1/dkim-keys/{id}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = KeyIdParam(req);
                   if (!id) return Fail(id.error());
                   if (auto st = ctx.dkim_keys.Delete(actor, *id); !st) return Fail(st.error());
                   return Response::NoContent();
               }));
}

json::object RuleJson(const service::BounceRule& r) {
    json::object o;
    if (r.id) o["id"] = *r.id;
    o["name"] = r.rule.name;
    o["code"] = r.rule.code;
    o["statusPrefix"] = r.rule.status_prefix;
    o["textPattern"] = r.rule.text_pattern;
    o["outcome"] = email::OutcomeName(r.rule.outcome);
    o["reason"] = r.rule.reason;
    o["builtIn"] = r.built_in;
    return o;
}

json::object BounceJson(const service::StoredBounce& b) {
    json::object o = email::ToJson(b.event).as_object();
    o.erase("returnPath");
    o["id"] = b.id;
    o["receivedAt"] = TimeJson(b.received_at);
    o["source"] = b.source;
    if (!o.contains("deliveryId")) o["deliveryId"] = nullptr;
    if (!o.contains("recipientId")) o["recipientId"] = nullptr;
    o["appliedAt"] = TimeJson(b.applied_at);
    return o;
}

Result<std::int64_t> DeliveryIdParam(const Request& req) {
    if (!req.HasQueryParam("deliveryId")) return std::int64_t{0};
    auto text = req.QueryParam("deliveryId");
    std::int64_t id = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || ptr != text.data() + text.size() || id <= 0) {
        return Fail(Error::InvalidArgument("deliveryId must be a positive integer")
                        .With("field", "deliveryId"));
    }
    return id;
}

void RegisterBounces(Router& router, const ApiContext& ctx) {
    router.Add("GET", "/api/v1/bounces",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto page = PageFromQuery(req);
                   if (!page) return Fail(page.error());
                   auto delivery = DeliveryIdParam(req);
                   if (!delivery) return Fail(delivery.error());
                   auto events = ctx.bounces.List(actor, *page, *delivery);
                   if (!events) return Fail(events.error());
                   return ItemsResponse(*events, BounceJson);
               }));
    router.Add("GET", "/api/v1/bounces/_count",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto delivery = DeliveryIdParam(req);
                   if (!delivery) return Fail(delivery.error());
                   auto count = ctx.bounces.Count(actor, *delivery);
                   if (!count) return Fail(count.error());
                   return CountResponse(*count);
               }));
    router.Add("POST", "/api/v1/bounces",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto body = ParseObject(req);
                   if (!body) return Fail(body.error());
                   auto stored = ctx.bounces.RecordWebhook(actor, json::value(std::move(*body)));
                   if (!stored) return Fail(stored.error());
                   json::array items;
                   for (const auto& e : stored->stored) items.push_back(BounceJson(e));
                   return JsonResponse(201, json::object{{"items", std::move(items)},
                                                         {"duplicates", stored->duplicates}});
               }));
    router.Add("GET", "/api/v1/bounce-rules",
               Authed(ctx, [&ctx](Request&, const service::Actor& actor) -> Result<Response> {
                   auto rules = ctx.bounces.ListRules(actor);
                   if (!rules) return Fail(rules.error());
                   json::array items;
                   for (const auto& r : *rules) items.push_back(RuleJson(r));
                   return JsonResponse(200, json::object{{"items", std::move(items)}});
               }));
    router.Add("POST", "/api/v1/bounce-rules",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto body = ParseObject(req);
                   if (!body) return Fail(body.error());
                   if (auto st = OnlyFields(*body, {"name", "code", "statusPrefix", "textPattern",
                                                    "outcome", "reason"});
                       !st) {
                       return Fail(st.error());
                   }
                   email::ClassificationRule rule;
                   auto name = RequiredString(*body, "name");
                   if (!name) return Fail(name.error());
                   rule.name = std::move(*name);
                   if (auto it = body->find("code"); it != body->end()) {
                       if (!it->value().is_int64()) {
                           return Fail(Error::InvalidArgument("code must be a whole number")
                                           .With("field", "code"));
                       }
                       rule.code = static_cast<int>(it->value().as_int64());
                   }
                   auto status = OptionalString(*body, "statusPrefix");
                   if (!status) return Fail(status.error());
                   rule.status_prefix = status->value_or("");
                   auto pattern = OptionalString(*body, "textPattern");
                   if (!pattern) return Fail(pattern.error());
                   rule.text_pattern = pattern->value_or("");
                   auto outcome = RequiredString(*body, "outcome");
                   if (!outcome) return Fail(outcome.error());
                   bool known = false;
                   for (auto o : {email::Outcome::kSent, email::Outcome::kSoftFailure,
                                  email::Outcome::kHardFailure, email::Outcome::kIgnored,
                                  email::Outcome::kRouteFailure}) {
                       if (email::OutcomeName(o) == *outcome) {
                           rule.outcome = o;
                           known = true;
                       }
                   }
                   if (!known) {
                       return Fail(Error::InvalidArgument(
                                       "outcome must be one of sent, soft, hard, ignored, route")
                                       .With("field", "outcome"));
                   }
                   auto reason = RequiredString(*body, "reason");
                   if (!reason) return Fail(reason.error());
                   rule.reason = std::move(*reason);
                   auto created = ctx.bounces.CreateRule(actor, rule);
                   if (!created) return Fail(created.error());
                   return JsonResponse(201, RuleJson(*created));
               }));
    router.Add("DELETE", "/api/v1/bounce-rules/{id}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto id = PathId(req, "id", "bounce rule");
                   if (!id) return Fail(id.error());
                   if (auto st = ctx.bounces.DeleteRule(actor, *id); !st) return Fail(st.error());
                   return Response::NoContent();
               }));
    router.Add("POST", "/api/v1/bounce-rules/classify",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto body = ParseObject(req);
                   if (!body) return Fail(body.error());
                   if (auto st = OnlyFields(*body, {"reply"}); !st) return Fail(st.error());
                   auto reply = RequiredString(*body, "reply");
                   if (!reply) return Fail(reply.error());
                   auto c = ctx.bounces.ClassifyReply(actor, *reply);
                   if (!c) return Fail(c.error());
                   return JsonResponse(
                       200, json::object{{"outcome", email::OutcomeName(c->classification.outcome)},
                                         {"reason", c->classification.reason},
                                         {"code", c->code},
                                         {"status", c->status},
                                         {"text", c->text}});
               }));
}

}  // namespace

void RegisterEmailRoutes(Router& router, const ApiContext& ctx) {
    RegisterRoutes(router, ctx);
    RegisterDkimKeys(router, ctx);
    RegisterBounces(router, ctx);
}

}  // namespace overture::http
