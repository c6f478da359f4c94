// GET /api/v1/schema, POST /api/v1/schema/publish
#include <boost/json.hpp>

#include "http/api.hpp"
#include "http/auth_context.hpp"
#include "http/json.hpp"
#include "schema/model_json.hpp"

namespace overture::http {

namespace json = boost::json;

void RegisterSchemaRoutes(Router& router, const ApiContext& ctx) {
    router.Add("GET", "/api/v1/schema",
               Authed(ctx, [&ctx](Request&, const service::Actor& actor) -> Result<Response> {
                   if (auto st = service::Require(actor, service::Permission::kReadData); !st) {
                       return Fail(st.error());
                   }
                   return JsonResponse(200, schema::ModelToJson(*ctx.schema.Current()));
               }));

    // Body: the model as GET /api/v1/schema shows it (only custom items are read), plus
    // "dryRun" (show the SQL, change nothing) and "allowDataLoss".
    router.Add(
        "POST", "/api/v1/schema/publish",
        Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
            auto body = ParseObject(req);
            if (!body) return Fail(body.error());
            if (auto st = OnlyFields(*body, {"resources", "dryRun", "allowDataLoss"}); !st) {
                return Fail(st.error());
            }
            auto dry_run = OptionalBool(*body, "dryRun");
            if (!dry_run) return Fail(dry_run.error());
            auto allow = OptionalBool(*body, "allowDataLoss");
            if (!allow) return Fail(allow.error());
            json::object model_doc;
            if (auto it = body->find("resources"); it != body->end()) {
                model_doc["resources"] = it->value();
            }
            auto desired = schema::CustomModelFromJson(model_doc);
            if (!desired) return Fail(desired.error());
            auto outcome = ctx.schema.Publish(actor, *desired, dry_run->value_or(false),
                                              allow->value_or(false));
            if (!outcome) return Fail(outcome.error());
            json::array changes, statements;
            for (const auto& c : outcome->plan.changes) {
                changes.push_back({{"description", c.description}, {"losesData", c.loses_data}});
            }
            for (const auto& s : outcome->plan.statements) {
                statements.push_back(json::string(s));
            }
            json::object out{{"applied", outcome->applied},
                             {"version", outcome->version},
                             {"losesData", outcome->plan.loses_data()},
                             {"changes", std::move(changes)},
                             {"statements", std::move(statements)}};
            return JsonResponse(200, out);
        }));
}

}  // namespace overture::http
