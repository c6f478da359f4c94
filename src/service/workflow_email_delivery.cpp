// The emailDelivery activity (channel): sends an email to the inbound population.
//
// params: {"templateId": 12 (a delivery with isTemplate, channel email),
//          "label": "optional label", "confirm": false}
// ports: in -> out (passes its inbound table).
//
// The first Execute creates a delivery from the template (content, settings, route and
// typology copied; audience {"kind": "workflow", "table": <inbound table>}; schedule "now") and
// asks for its preparation as the run's user, then waits, polling every second (the delivery
// id is kept in the task's state). When the delivery worker has prepared it: "ready" -> the
// activity confirms it unless params.confirm is true or the run's role may not confirm
// deliveries (then it logs that the delivery waits for a supervisor), and passes the table on;
// back in "draft" with errors -> the task fails with those errors. The working table is kept
// until then because this task has not finished reading it.
// A dry run creates nothing: it logs the count and passes the table.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "common/strings.hpp"
#include "service/workflow_files.hpp"
#include "storage/field_values.hpp"
#include "storage/sql_text.hpp"

namespace overture::service::wf {

namespace {

namespace json = boost::json;
using delivery::State;
using workflow::Context;
using workflow::Outcome;
using workflow::Problem;

constexpr std::size_t kMaxLabel = 200;

class EmailDelivery final : public workflow::ActivityType {
  public:
    explicit EmailDelivery(const ServiceActivityDeps& deps) : deps_(deps) {}

    std::string_view type() const override { return "emailDelivery"; }
    std::string_view category() const override { return "channel"; }
    std::string_view label() const override { return "Email delivery"; }
    std::vector<std::string> OutputPorts(const json::object&) const override { return {"out"}; }

    std::vector<Problem> Check(const json::object& params,
                               const workflow::CheckContext& ctx) const override {
        (void)ctx;
        std::vector<Problem> out;
        auto id = IntParam(params, "templateId");
        if (!params.contains("templateId") || params.at("templateId").is_null()) {
            out.push_back(MakeProblem("params.templateId", "choose a delivery template"));
        } else if (!id || *id <= 0) {
            out.push_back(
                MakeProblem("params.templateId", "templateId must be the id of a template"));
        } else {
            auto d = deps_.deliveries.Load(DeliveryId(*id));
            if (!d) {
                out.push_back(MakeProblem("params.templateId",
                                          fmt::format("there is no delivery template {}", *id)));
            } else if (!d->is_template) {
                out.push_back(
                    MakeProblem("params.templateId",
                                fmt::format("'{}' is a delivery, not a template: choose a template",
                                            d->label)));
            } else if (d->channel != "email") {
                out.push_back(MakeProblem("params.templateId",
                                          fmt::format("'{}' is not an email template", d->label)));
            }
        }
        if (params.contains("label") && !params.at("label").is_null()) {
            auto label = StringParam(params, "label");
            if (!label) {
                out.push_back(MakeProblem("params.label", "label must be text"));
            } else if (!IsValidUtf8(*label) || storage::CodePoints(Trim(*label)) > kMaxLabel) {
                out.push_back(MakeProblem(
                    "params.label", fmt::format("label must be at most {} characters", kMaxLabel)));
            }
        }
        if (!BoolParam(params, "confirm", false)) {
            out.push_back(MakeProblem("params.confirm", "confirm must be true or false"));
        }
        return out;
    }

    Result<Outcome> Execute(Context& ctx) const override {
        auto table = InboundTable(ctx);
        if (!table) return Fail(table.error());
        if (table->resource != "profile") {
            return Fail(Error::FailedPrecondition(
                fmt::format("an email delivery needs profiles, but its population is of '{}'",
                            table->resource)));
        }
        if (ctx.dry_run()) {
            ctx.Log(workflow::LogLevel::kInfo,
                    fmt::format("dry run: a delivery would target {} profiles", table->count),
                    table->count);
            return Pass(std::move(*table));
        }
        const Actor actor = RunActor(ctx);
        json::object& state = ctx.state();
        if (!state.contains("deliveryId")) {
            auto created = CreateAndPrepare(ctx, actor, *table);
            if (!created) return Fail(created.error());
            return Outcome::WaitUntil(ctx.clock().Now() + std::chrono::seconds(1));
        }
        const DeliveryId id(state.at("deliveryId").to_number<std::int64_t>());
        auto d = deps_.deliveries.Load(id);
        if (!d) return Fail(d.error());
        switch (d->state) {
            case State::kPreparing:
                return Outcome::WaitUntil(ctx.clock().Now() + std::chrono::seconds(1));
            case State::kDraft: {
                std::string errors;
                if (d->preparation) {
                    for (const auto& e : d->preparation->errors) {
                        if (!errors.empty()) errors += "; ";
                        errors += e;
                    }
                }
                if (errors.empty()) errors = "it went back to draft";
                return Fail(Error::FailedPrecondition(
                    fmt::format("the delivery {} ('{}') could not be prepared: {}", id.value(),
                                d->label, errors)));
            }
            case State::kReady:
                return Ready(ctx, actor, *d, std::move(*table));
            default:
                // Confirmed (or stopped) by someone else meanwhile: the preparation is done.
                ctx.Log(workflow::LogLevel::kInfo, fmt::format("delivery {} is {}", id.value(),
                                                               delivery::StateName(d->state)));
                return Pass(std::move(*table));
        }
    }

  private:
    Status CreateAndPrepare(Context& ctx, const Actor& actor, const workflow::Table& table) const {
        // Run again after its node died between creating the delivery and the engine recording
        // that: the delivery is found by the task, never made twice.
        auto made = deps_.deliveries.FindByWorkflowTask(ctx.task_id());
        if (!made) return Fail(made.error());
        if (*made) return Resume(ctx, actor, **made);
        const auto& params = ctx.activity().params;
        const auto template_id = IntParam(params, "templateId").value_or(0);
        auto tmpl = deps_.deliveries.Get(actor, DeliveryId(template_id));
        if (!tmpl) return Fail(tmpl.error());
        if (!tmpl->is_template) {
            return Fail(Error::FailedPrecondition(
                fmt::format("'{}' is no longer a delivery template", tmpl->label)));
        }
        std::string label = StringParam(params, "label").value_or("");
        if (Trim(label).empty()) {
            auto label_or = DefaultLabel(ctx, *tmpl, table);
            if (!label_or) return Fail(label_or.error());
            label = std::move(*label_or);
        }
        NewDelivery in;
        in.label = std::move(label);
        in.from_delivery = template_id;
        in.audience = json::object{{"kind", "workflow"}, {"table", table.name}};
        json::object settings = tmpl->settings;
        settings["schedule"] = json::object{{"kind", "now"}};
        in.settings = std::move(settings);
        in.workflow_task = ctx.task_id();
        auto created = deps_.deliveries.Create(actor, in);
        if (!created) return Fail(created.error());
        ctx.state()["deliveryId"] = created->id.value();
        auto prepared = deps_.deliveries.Prepare(actor, created->id);
        if (!prepared) return Fail(prepared.error());
        ctx.Log(workflow::LogLevel::kInfo,
                fmt::format("delivery {} ('{}') created for {} profiles; preparing",
                            created->id.value(), created->label, table.count),
                table.count);
        return {};
    }

    // The delivery this task made before it was interrupted: prepared unless that already
    // happened (the next Execute calls follow it as usual).
    Status Resume(Context& ctx, const Actor& actor, DeliveryId id) const {
        ctx.state()["deliveryId"] = id.value();
        auto d = deps_.deliveries.Load(id);
        if (!d) return Fail(d.error());
        ctx.Log(workflow::LogLevel::kInfo,
                fmt::format("delivery {} ('{}') was made by this activity before it was "
                            "interrupted; going on with it",
                            id.value(), d->label));
        if (d->state == State::kDraft && !d->preparation) {
            auto prepared = deps_.deliveries.Prepare(actor, id);
            if (!prepared) return Fail(prepared.error());
        }
        return {};
    }

    Result<Outcome> Ready(Context& ctx, const Actor& actor, const Delivery& d,
                          workflow::Table table) const {
        const std::int64_t to_send = d.preparation ? d.preparation->to_send : 0;
        const bool hold = BoolParam(ctx.activity().params, "confirm", false).value_or(false);
        if (hold || !RoleAllows(actor.role, Permission::kConfirmDeliveries)) {
            ctx.Log(workflow::LogLevel::kInfo,
                    fmt::format("delivery {} ('{}') is prepared ({} to send) and waits for a "
                                "supervisor to confirm it",
                                d.id.value(), d.label, to_send),
                    to_send);
            return Pass(std::move(table));
        }
        auto confirmed = deps_.deliveries.Confirm(actor, d.id);
        if (!confirmed) return Fail(confirmed.error());
        ctx.Log(
            workflow::LogLevel::kInfo,
            fmt::format("delivery {} ('{}') confirmed: {} to send", d.id.value(), d.label, to_send),
            to_send);
        return Pass(std::move(table));
    }

    // "<template label> — <workflow label> run <n>[ segment <codes>]", at most 200 characters.
    Result<std::string> DefaultLabel(Context& ctx, const Delivery& tmpl,
                                     const workflow::Table& table) const {
        auto info = LoadRunInfo(ctx);
        if (!info) return Fail(info.error());
        storage::Params params(ctx.db().dialect());
        const std::string sql = fmt::format(
            "SELECT DISTINCT segment_code FROM {} WHERE segment_code <> '' ORDER BY segment_code "
            "LIMIT 6",
            storage::QuoteIdent(table.name));
        auto rows = storage::WithRead(
            ctx.db(), [&](storage::Transaction& tx) { return tx.QuerySql(sql, params.values()); });
        if (!rows) return Fail(rows.error());
        std::string label =
            fmt::format("{} — {} run {}", tmpl.label, info->workflow_label, info->number);
        if (!rows->empty()) {
            label += " segment ";
            for (std::size_t i = 0; i < rows->size() && i < 5; ++i) {
                if (i > 0) label += ", ";
                label += storage::AsString(rows->rows[i][0]);
            }
            if (rows->size() > 5) label += ", ...";
        }
        label.resize(CutUtf8Points(label, kMaxLabel).size());
        return label;
    }

    ServiceActivityDeps deps_;
};

}  // namespace

std::unique_ptr<workflow::ActivityType> MakeEmailDelivery(const ServiceActivityDeps& deps) {
    return std::make_unique<EmailDelivery>(deps);
}

}  // namespace overture::service::wf
