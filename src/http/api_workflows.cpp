// Workflows (docs/workflows.md): GET/POST /api/v1/workflows, GET /api/v1/workflows/_count,
// POST /api/v1/workflows/check, GET /api/v1/workflows/activity-types,
// GET/PATCH/DELETE /api/v1/workflows/{id}, the run commands POST /api/v1/workflows/{id}/start,
// pause, resume, stop, restart and signal/{activity}, and the runs: GET .../runs,
// .../runs/{runId} and .../runs/{runId}/logs.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>

#include "http/api.hpp"
#include "http/auth_context.hpp"
#include "http/json.hpp"
#include "service/workflows.hpp"

namespace overture::http {

namespace json = boost::json;
using service::WorkflowId;
using service::WorkflowRunId;

namespace {

json::value RunSummaryJson(const service::WorkflowRunSummary& r) {
    json::object o;
    o["id"] = r.id.value();
    o["workflowId"] = r.workflow_id.value();
    o["number"] = r.number;
    o["status"] = r.status;
    o["dryRun"] = r.dry_run;
    o["version"] = r.version;
    o["startedAt"] = TimeJson(r.started_at);
    o["startedBy"] = r.started_by;
    o["finishedAt"] = TimeJson(r.finished_at);
    o["error"] = r.error;
    return o;
}

json::value OptionalRunJson(const std::optional<service::WorkflowRunSummary>& r) {
    return r ? RunSummaryJson(*r) : json::value(nullptr);
}

json::value OptionalInt(const std::optional<std::int64_t>& v) {
    return v ? json::value(*v) : json::value(nullptr);
}

json::object RunDetailJson(const service::WorkflowRunDetail& d) {
    json::object o = RunSummaryJson(d.run).as_object();
    o["variables"] = d.variables;
    o["graph"] = d.graph;
    json::array tasks;
    for (const auto& t : d.tasks) {
        json::object to;
        to["id"] = t.id;
        to["activity"] = t.activity;
        to["type"] = t.type;
        to["status"] = t.status;
        to["attempts"] = t.attempts;
        to["wakeAt"] = TimeJson(t.wake_at);
        to["startedAt"] = TimeJson(t.started_at);
        to["finishedAt"] = TimeJson(t.finished_at);
        to["error"] = t.error;
        tasks.push_back(std::move(to));
    }
    o["tasks"] = std::move(tasks);
    json::array transitions;
    for (const auto& t : d.transitions) {
        transitions.push_back(json::object{{"transition", t.transition},
                                           {"count", OptionalInt(t.count)},
                                           {"total", t.total},
                                           {"times", t.times},
                                           {"updatedAt", TimeJson(t.updated_at)}});
    }
    o["transitions"] = std::move(transitions);
    json::object activities;
    for (const auto& [id, a] : d.activities) {
        activities[id] = json::object{{"status", a.status}, {"tasks", a.tasks}};
    }
    o["activities"] = std::move(activities);
    return o;
}

json::array ProblemsJson(const std::vector<workflow::Problem>& problems) {
    json::array out;
    for (const auto& p : problems) {
        out.push_back(json::object{{"activity", p.activity},
                                   {"transition", p.transition},
                                   {"field", p.field},
                                   {"message", p.message}});
    }
    return out;
}

json::object PortsJson(const std::map<std::string, service::WorkflowPorts>& ports) {
    json::object out;
    for (const auto& [id, p] : ports) {
        json::array in, outs;
        for (const auto& port : p.in) in.push_back(json::value(port));
        for (const auto& port : p.out) outs.push_back(json::value(port));
        out[id] = json::object{{"in", std::move(in)}, {"out", std::move(outs)}};
    }
    return out;
}

json::object SummaryJson(const service::Workflow& w) {
    json::object o;
    o["id"] = w.id.value();
    o["label"] = w.label;
    o["description"] = w.description;
    o["version"] = w.version;
    o["createdAt"] = TimeJson(w.created_at);
    o["createdBy"] = w.created_by;
    o["modifiedAt"] = TimeJson(w.modified_at);
    o["modifiedBy"] = w.modified_by;
    o["activeRun"] = OptionalRunJson(w.active_run);
    o["lastRun"] = OptionalRunJson(w.last_run);
    return o;
}

json::object FullJson(const service::Workflow& w) {
    json::object o = SummaryJson(w);
    o["graph"] = w.graph;
    o["problems"] = ProblemsJson(w.check.problems);
    o["ports"] = PortsJson(w.check.ports);
    return o;
}

Result<const service::WorkflowService*> Workflows(const ApiContext& ctx) {
    if (!ctx.workflows) return Fail(Error::Unavailable("workflows are not available"));
    return ctx.workflows;
}

Result<WorkflowId> IdParam(const Request& req) {
    auto id = PathId(req, "id", "workflow");
    if (!id) return Fail(id.error());
    return WorkflowId(*id);
}

Result<WorkflowRunId> RunIdParam(const Request& req) {
    auto id = PathId(req, "runId", "workflow run");
    if (!id) return Fail(id.error());
    return WorkflowRunId(*id);
}

// An optional JSON object member; kInvalidArgument naming it when it is not an object.
Result<json::object> OptionalObject(const json::object& body, std::string_view field) {
    auto it = body.find(field);
    if (it == body.end() || it->value().is_null()) return json::object();
    if (!it->value().is_object()) {
        return Fail(Error::InvalidField(std::string(field),
                                        fmt::format("field '{}' must be a JSON object", field)));
    }
    return it->value().as_object();
}

// A body that may be empty (the commands without parameters).
Result<json::object> OptionalBody(const Request& req) {
    if (req.body.empty()) return json::object();
    return ParseObject(req);
}

Result<std::int64_t> IntQuery(const Request& req, std::string_view name, std::int64_t fallback) {
    if (!req.HasQueryParam(name)) return fallback;
    auto text = req.QueryParam(name);
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size()) {
        return Fail(
            Error::InvalidField(std::string(name), fmt::format("{} must be a whole number", name)));
    }
    return v;
}

using Command = Result<service::WorkflowRunDetail> (service::WorkflowService::*)(
    const service::Actor&, WorkflowId) const;

void AddCommand(Router& router, const ApiContext& ctx, std::string_view name, Command command) {
    router.Add(
        "POST", fmt::format("/api/v1/workflows/{{id}}/{}", name),
        Authed(ctx, [&ctx, command](Request& req, const service::Actor& actor) -> Result<Response> {
            auto svc = Workflows(ctx);
            if (!svc) return Fail(svc.error());
            auto id = IdParam(req);
            if (!id) return Fail(id.error());
            auto body = OptionalBody(req);
            if (!body) return Fail(body.error());
            if (auto st = OnlyFields(*body, {}); !st) return Fail(st.error());
            auto run = ((*svc)->*command)(actor, *id);
            if (!run) return Fail(run.error());
            return JsonResponse(200, RunDetailJson(*run));
        }));
}

}  // namespace

void RegisterWorkflowRoutes(Router& router, const ApiContext& ctx) {
    router.Add("GET", "/api/v1/workflows",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Workflows(ctx);
                   if (!svc) return Fail(svc.error());
                   auto page = PageFromQuery(req);
                   if (!page) return Fail(page.error());
                   auto list = (*svc)->List(actor, {*page, std::string(req.QueryParam("q"))});
                   if (!list) return Fail(list.error());
                   return ItemsResponse(*list, SummaryJson);
               }));

    router.Add("GET", "/api/v1/workflows/_count",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Workflows(ctx);
                   if (!svc) return Fail(svc.error());
                   auto count = (*svc)->Count(actor, std::string(req.QueryParam("q")));
                   if (!count) return Fail(count.error());
                   return CountResponse(*count);
               }));

    router.Add("GET", "/api/v1/workflows/activity-types",
               Authed(ctx, [&ctx](Request&, const service::Actor& actor) -> Result<Response> {
                   auto svc = Workflows(ctx);
                   if (!svc) return Fail(svc.error());
                   auto types = (*svc)->ActivityTypes(actor);
                   if (!types) return Fail(types.error());
                   json::array items;
                   for (const auto& t : *types) {
                       items.push_back(json::object{{"type", t.type},
                                                    {"category", t.category},
                                                    {"label", t.label},
                                                    {"inputMode", t.input_mode},
                                                    {"canStart", t.can_start}});
                   }
                   return JsonResponse(200, json::object{{"items", std::move(items)}});
               }));

    router.Add("POST", "/api/v1/workflows/check",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Workflows(ctx);
                   if (!svc) return Fail(svc.error());
                   auto body = ParseObject(req);
                   if (!body) return Fail(body.error());
                   if (auto st = OnlyFields(*body, {"graph"}); !st) return Fail(st.error());
                   auto it = body->find("graph");
                   if (it == body->end()) {
                       return Fail(Error::InvalidField("graph", "field 'graph' is required"));
                   }
                   auto check = (*svc)->Check(actor, it->value());
                   if (!check) return Fail(check.error());
                   return JsonResponse(200,
                                       json::object{{"problems", ProblemsJson(check->problems)},
                                                    {"ports", PortsJson(check->ports)}});
               }));

    router.Add("POST", "/api/v1/workflows",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Workflows(ctx);
                   if (!svc) return Fail(svc.error());
                   auto body = ParseObject(req);
                   if (!body) return Fail(body.error());
                   if (auto st = OnlyFields(*body, {"label", "description", "graph"}); !st) {
                       return Fail(st.error());
                   }
                   service::NewWorkflow in;
                   auto label = RequiredString(*body, "label");
                   if (!label) return Fail(label.error());
                   in.label = std::move(*label);
                   auto description = OptionalString(*body, "description");
                   if (!description) return Fail(description.error());
                   in.description = description->value_or("");
                   if (auto it = body->find("graph"); it != body->end() && !it->value().is_null()) {
                       in.graph = it->value();
                   }
                   auto w = (*svc)->Create(actor, in);
                   if (!w) return Fail(w.error());
                   auto response = JsonResponse(201, FullJson(*w));
                   response.SetHeader("Location",
                                      fmt::format("/api/v1/workflows/{}", w->id.value()));
                   return response;
               }));

    router.Add("GET", "/api/v1/workflows/{id}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Workflows(ctx);
                   if (!svc) return Fail(svc.error());
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   auto w = (*svc)->Get(actor, *id);
                   if (!w) return Fail(w.error());
                   return JsonResponse(200, FullJson(*w));
               }));

    router.Add(
        "PATCH", "/api/v1/workflows/{id}",
        Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
            auto svc = Workflows(ctx);
            if (!svc) return Fail(svc.error());
            auto id = IdParam(req);
            if (!id) return Fail(id.error());
            auto body = ParseObject(req);
            if (!body) return Fail(body.error());
            if (auto st = OnlyFields(*body, {"label", "description", "graph", "version"}); !st) {
                return Fail(st.error());
            }
            service::WorkflowPatch patch;
            auto label = OptionalString(*body, "label");
            if (!label) return Fail(label.error());
            patch.label = std::move(*label);
            auto description = OptionalString(*body, "description");
            if (!description) return Fail(description.error());
            patch.description = std::move(*description);
            if (auto it = body->find("graph"); it != body->end() && !it->value().is_null()) {
                patch.graph = it->value();
            }
            if (auto it = body->find("version"); it != body->end() && !it->value().is_null()) {
                if (!it->value().is_int64()) {
                    return Fail(Error::InvalidField("version", "field 'version' must be a number"));
                }
                patch.version = it->value().as_int64();
            }
            auto w = (*svc)->Update(actor, *id, patch);
            if (!w) return Fail(w.error());
            return JsonResponse(200, FullJson(*w));
        }));

    router.Add("DELETE", "/api/v1/workflows/{id}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Workflows(ctx);
                   if (!svc) return Fail(svc.error());
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   if (auto st = (*svc)->Delete(actor, *id); !st) return Fail(st.error());
                   return Response::NoContent();
               }));

    router.Add("POST", "/api/v1/workflows/{id}/start",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Workflows(ctx);
                   if (!svc) return Fail(svc.error());
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   auto body = OptionalBody(req);
                   if (!body) return Fail(body.error());
                   if (auto st = OnlyFields(*body, {"dryRun", "variables"}); !st)
                       return Fail(st.error());
                   service::WorkflowStart options;
                   auto dry_run = OptionalBool(*body, "dryRun");
                   if (!dry_run) return Fail(dry_run.error());
                   options.dry_run = dry_run->value_or(false);
                   auto variables = OptionalObject(*body, "variables");
                   if (!variables) return Fail(variables.error());
                   options.variables = std::move(*variables);
                   auto run = (*svc)->Start(actor, *id, options);
                   if (!run) return Fail(run.error());
                   auto response = JsonResponse(201, RunDetailJson(*run));
                   response.SetHeader("Location", fmt::format("/api/v1/workflows/{}/runs/{}",
                                                              id->value(), run->run.id.value()));
                   return response;
               }));

    AddCommand(router, ctx, "pause", &service::WorkflowService::Pause);
    AddCommand(router, ctx, "resume", &service::WorkflowService::Resume);
    AddCommand(router, ctx, "stop", &service::WorkflowService::Stop);
    AddCommand(router, ctx, "restart", &service::WorkflowService::Restart);

    router.Add("POST", "/api/v1/workflows/{id}/signal/{activity}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Workflows(ctx);
                   if (!svc) return Fail(svc.error());
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   auto body = OptionalBody(req);
                   if (!body) return Fail(body.error());
                   if (auto st = OnlyFields(*body, {"parameters"}); !st) return Fail(st.error());
                   auto parameters = OptionalObject(*body, "parameters");
                   if (!parameters) return Fail(parameters.error());
                   auto run = (*svc)->Signal(actor, *id, req.PathParam("activity"), *parameters);
                   if (!run) return Fail(run.error());
                   return JsonResponse(200, RunDetailJson(*run));
               }));

    router.Add("GET", "/api/v1/workflows/{id}/runs",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Workflows(ctx);
                   if (!svc) return Fail(svc.error());
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   auto page = PageFromQuery(req);
                   if (!page) return Fail(page.error());
                   auto runs = (*svc)->Runs(actor, *id, *page);
                   if (!runs) return Fail(runs.error());
                   return ItemsResponse(*runs, RunSummaryJson);
               }));

    router.Add("GET", "/api/v1/workflows/{id}/runs/{runId}",
               Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
                   auto svc = Workflows(ctx);
                   if (!svc) return Fail(svc.error());
                   auto id = IdParam(req);
                   if (!id) return Fail(id.error());
                   auto run_id = RunIdParam(req);
                   if (!run_id) return Fail(run_id.error());
                   auto run = (*svc)->Run(actor, *id, *run_id);
                   if (!run) return Fail(run.error());
                   return JsonResponse(200, RunDetailJson(*run));
               }));

    router.Add(
        "GET", "/api/v1/workflows/{id}/runs/{runId}/logs",
        Authed(ctx, [&ctx](Request& req, const service::Actor& actor) -> Result<Response> {
            auto svc = Workflows(ctx);
            if (!svc) return Fail(svc.error());
            auto id = IdParam(req);
            if (!id) return Fail(id.error());
            auto run_id = RunIdParam(req);
            if (!run_id) return Fail(run_id.error());
            auto after = IntQuery(req, "after", 0);
            if (!after) return Fail(after.error());
            auto limit = IntQuery(req, "limit", 100);
            if (!limit) return Fail(limit.error());
            if (*limit < 1 || *limit > service::kMaxPageSize) {
                return Fail(Error::InvalidField(
                    "limit", fmt::format("limit must be between 1 and {}", service::kMaxPageSize)));
            }
            auto logs = (*svc)->Logs(actor, *id, *run_id, *after, static_cast<int>(*limit));
            if (!logs) return Fail(logs.error());
            json::array items;
            for (const auto& e : logs->items) {
                json::object o;
                o["id"] = e.id;
                o["taskId"] = OptionalInt(e.task_id);
                o["activity"] = e.activity;
                o["level"] = e.level;
                o["message"] = e.message;
                o["rows"] = OptionalInt(e.rows);
                o["durationMs"] = OptionalInt(e.duration_ms);
                o["at"] = TimeJson(e.at);
                items.push_back(std::move(o));
            }
            return JsonResponse(
                200, json::object{{"items", std::move(items)}, {"next", OptionalInt(logs->next)}});
        }));
}

}  // namespace overture::http
