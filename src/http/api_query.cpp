// POST /api/v1/query/validate | count | preview: the expression language for the query editor
// and API users. Body: {"resource": "profile", "expression": "<text>"} or {"resource",
// "json": <the JSON form>}; preview also takes "columns" and "limit".
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>

#include "http/api.hpp"
#include "http/auth_context.hpp"
#include "http/json.hpp"
#include "query/json_codec.hpp"
#include "query/parser.hpp"
#include "query/printer.hpp"
#include "query/typecheck.hpp"

namespace overture::http {

namespace json = boost::json;

namespace {

struct QueryRequest {
    std::string resource;
    query::Expr expr;
    std::string text;  // canonical text of the expression
};

// Checks the actor may read data, then reads the resource and the expression (text or JSON
// form) of the body, refusing other keys (preview also takes columns and limit), and parses and
// type-checks the expression.
Result<QueryRequest> ReadQuery(const ApiContext& ctx, const service::Actor& actor,
                               const json::object& body, bool preview) {
    if (auto st = service::Require(actor, service::Permission::kReadData); !st) {
        return Fail(st.error());
    }
    auto only = preview ? OnlyFields(body, {"resource", "expression", "json", "columns", "limit"})
                        : OnlyFields(body, {"resource", "expression", "json"});
    if (!only) return Fail(only.error());
    auto resource_field = OptionalString(body, "resource");
    if (!resource_field) return Fail(resource_field.error());
    std::string resource = resource_field->value_or("profile");
    auto model = ctx.schema.Current();
    if (!model->Find(resource)) {
        return Fail(Error::NotFound(fmt::format("there is no resource named '{}'", resource)));
    }
    auto text = OptionalString(body, "expression");
    if (!text) return Fail(text.error());
    auto it = body.find("json");
    if (text->has_value() == (it != body.end())) {
        return Fail(Error::InvalidArgument("give the expression either as \"expression\" (text) "
                                           "or as \"json\" (the JSON form)")
                        .With("field", "expression"));
    }
    auto tag = [](Error e, std::string_view field) {
        return std::move(e).With("field", std::string(field));
    };
    Result<query::Expr> expr =
        text->has_value() ? query::Parse(**text) : query::FromJson(it->value());
    if (!expr) return Fail(tag(expr.error(), text->has_value() ? "expression" : "json"));
    auto checked = query::Check(*expr, model, resource, text->value_or(""));
    if (!checked) return Fail(tag(checked.error(), text->has_value() ? "expression" : "json"));
    auto canonical = query::Print(*expr);
    return QueryRequest{std::move(resource), std::move(*expr), std::move(canonical)};
}

service::ListQuery FilterFor(const QueryRequest& q) {
    service::ListQuery list;
    list.filter = q.text;
    return list;
}

}  // namespace

void RegisterQueryRoutes(Router& router, const ApiContext& ctx) {
    router.Add("POST", "/api/v1/query/validate",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto body = ParseObject(req);
                   if (!body) return Fail(body.error());
                   auto q = ReadQuery(ctx, actor, *body, /*preview=*/false);
                   if (!q) return Fail(q.error());
                   return JsonResponse(200, json::object{{"valid", true},
                                                         {"resource", q->resource},
                                                         {"expression", q->text},
                                                         {"json", query::ToJson(q->expr)}});
               }));

    router.Add(
        "POST", "/api/v1/query/count",
        Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
            auto body = ParseObject(req);
            if (!body) return Fail(body.error());
            auto q = ReadQuery(ctx, actor, *body, /*preview=*/false);
            if (!q) return Fail(q.error());
            auto count = ctx.records.Count(actor, q->resource, FilterFor(*q));
            if (!count) return Fail(count.error());
            return JsonResponse(200, json::object{{"count", *count}, {"expression", q->text}});
        }));

    router.Add(
        "POST", "/api/v1/query/preview",
        Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
            auto body = ParseObject(req);
            if (!body) return Fail(body.error());
            auto q = ReadQuery(ctx, actor, *body, /*preview=*/true);
            if (!q) return Fail(q.error());
            auto list = FilterFor(*q);
            list.page.limit = 20;
            if (auto it = body->find("limit"); it != body->end()) {
                if (!it->value().is_int64()) {
                    return Fail(Error::InvalidArgument("limit must be a whole number")
                                    .With("field", "limit"));
                }
                list.page.limit = static_cast<int>(
                    std::clamp<std::int64_t>(it->value().as_int64(), 0, 1'000'000));
            }
            std::vector<std::string> columns;
            if (auto it = body->find("columns"); it != body->end()) {
                if (!it->value().is_array()) {
                    return Fail(Error::InvalidArgument("columns must be an array of fields")
                                    .With("field", "columns"));
                }
                for (const auto& c : it->value().as_array()) {
                    if (!c.is_string()) {
                        return Fail(Error::InvalidArgument("columns must be an array of fields")
                                        .With("field", "columns"));
                    }
                    columns.emplace_back(c.as_string());
                }
            }
            auto page = ctx.records.List(actor, q->resource, list);
            if (!page) return Fail(page.error());
            json::array items;
            for (auto& item : page->items) {
                if (columns.empty()) {
                    items.push_back(std::move(item));
                    continue;
                }
                json::object picked{{"id", item.at("id")}};
                for (const auto& c : columns) {
                    auto f = item.find(c);
                    if (f == item.end()) {
                        return Fail(Error::InvalidArgument(
                                        fmt::format("{} has no field '{}'", q->resource, c))
                                        .With("field", "columns"));
                    }
                    picked[c] = f->value();
                }
                items.push_back(std::move(picked));
            }
            return JsonResponse(200,
                                json::object{{"items", std::move(items)}, {"expression", q->text}});
        }));
}

}  // namespace overture::http
