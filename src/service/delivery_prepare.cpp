#include "service/delivery_prepare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/parse.hpp>

#include "delivery/sender.hpp"
#include "query/normalize.hpp"
#include "query/parser.hpp"
#include "query/sql_emit.hpp"
#include "query/typecheck.hpp"
#include "service/email_sending.hpp"
#include "service/queries.hpp"
#include "service/typologies.hpp"
#include "storage/sql_text.hpp"

namespace overture::service {

namespace json = boost::json;
using storage::Params;
using storage::Value;

namespace {

struct FilterRule {
    std::string name, expression;
};
struct FatigueRule {
    std::string name;
    std::int64_t max = 0;
    std::int64_t window_hours = 24;
    bool any_channel = false;
};
struct TypologyRules {
    std::vector<FilterRule> filters;
    std::vector<FatigueRule> fatigue;
    bool require_dkim = false;
};

std::string Str(const json::object& o, std::string_view k) {
    const auto* v = o.if_contains(k);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

TypologyRules ParseTypology(const json::object& rules) {
    TypologyRules t;
    if (const auto* v = rules.if_contains("filters"); v && v->is_array()) {
        for (const auto& e : v->get_array()) {
            if (e.is_object()) {
                t.filters.push_back(
                    {Str(e.get_object(), "name"), Str(e.get_object(), "expression")});
            }
        }
    }
    if (const auto* v = rules.if_contains("fatigue"); v && v->is_array()) {
        for (const auto& e : v->get_array()) {
            if (!e.is_object()) continue;
            const auto& o = e.get_object();
            FatigueRule f{.name = Str(o, "name")};
            if (const auto* m = o.if_contains("max"); m && m->is_number()) {
                f.max = m->to_number<std::int64_t>();
            }
            if (const auto* w = o.if_contains("windowHours"); w && w->is_number()) {
                f.window_hours = w->to_number<std::int64_t>();
            }
            f.any_channel = Str(o, "channel") == "any";
            t.fatigue.push_back(std::move(f));
        }
    }
    if (const auto* v = rules.if_contains("requireDkim"); v && v->is_bool()) {
        t.require_dkim = v->get_bool();
    }
    return t;
}

}  // namespace

Result<Preparation> DeliveryPreparer::Run(const Delivery& d, const Progress& progress) const {
    Preparation out;
    const auto model = schema_.Current();
    const auto dialect = db_.dialect();
    const std::int64_t id = d.id.value();

    // The typology.
    TypologyRules typology;
    {
        auto rows = storage::WithRead(db_, [&](storage::Transaction& tx) {
            // The same statements as the typology resource (sql/*/typologies.sql); rules is
            // the fourth column.
            return d.typology_id ? tx.Query(q::kTypologyGet, {Value(*d.typology_id)})
                                 : tx.Query(q::kTypologyGetByName,
                                            {Value(std::string(kDefaultTypologyName))});
        });
        if (!rows) return Fail(rows.error());
        if (!rows->empty()) {
            std::error_code ec;
            auto v = json::parse(storage::AsString(rows->rows[0][3]), ec);
            if (!ec && v.is_object()) typology = ParseTypology(v.get_object());
        } else if (d.typology_id) {
            out.errors.push_back(fmt::format(
                "typology {} no longer exists; choose another typology", *d.typology_id));
        }
    }

    // 1. Controls.
    auto content = delivery::ParseContent(d.content);
    if (!content) {
        out.errors.push_back(content.error().message);
    } else {
        render::FragmentProvider provider;
        if (fragments_) {
            if (auto p = fragments_()) {
                provider = std::move(*p);
            } else {
                out.errors.push_back("the content fragments cannot be read: " + p.error().message);
            }
        }
        auto compiled = delivery::CompileContent(*content, /*strict=*/true, provider);
        if (!compiled) {
            const auto& e = compiled.error();
            const auto part = e.details.contains("part") ? e.details.at("part") : "content";
            out.errors.push_back(fmt::format("{}: {}", part, e.message));
        } else {
            const schema::Resource* profile = model->Find("profile");
            const auto reverse = model->ReverseLinks("profile");
            for (const auto& f : compiled->profile_fields) {
                const bool is_link =
                    std::any_of(reverse.begin(), reverse.end(),
                                [&](const schema::ReverseLink& l) { return l.name == f; });
                if (!profile || (!profile->FindField(f) && !profile->FindLink(f) && !is_link)) {
                    out.errors.push_back(fmt::format(
                        "the content reads profile.{}, which the data model does not have", f));
                }
            }
            if (!compiled->uses_unsubscribe_url) {
                out.errors.push_back(
                    "the message has no unsubscribe link: add {{ unsubscribe_url }} to the HTML "
                    "or text part");
            }
        }
        const std::string domain = AddressDomain(content->from_address);
        if (auto signer = dkim_.SignerFor(domain); !signer) {
            const auto msg = fmt::format(
                "the From domain {} has no DKIM key: messages go out unsigned (add one under "
                "Administration > DKIM keys)",
                domain);
            (typology.require_dkim ? out.errors : out.warnings).push_back(msg);
        }
    }
    {
        const Actor system = Actor::System();
        auto route =
            d.route_id ? routes_.Get(system, RouteId(*d.route_id)) : routes_.GetDefault(system);
        if (!route) {
            out.errors.push_back(d.route_id ? fmt::format("route {} does not exist", *d.route_id)
                                            : "there is no default route: choose a route");
        }
    }

    const std::int64_t steps =
        9 + static_cast<std::int64_t>(typology.filters.size() + typology.fatigue.size());
    std::int64_t step = 0;
    auto advance = [&]() -> Status {
        if (progress && !progress(++step, steps)) {
            return Fail(Error::FailedPrecondition("the preparation was abandoned")
                            .With("abandoned", "yes"));
        }
        return {};
    };

    // 2. The target.
    {
        Params params(dialect);
        auto cond = deliveries_.TargetCondition(d, params);
        const bool targeted = cond.has_value();
        if (!cond) {
            out.errors.push_back(cond.error().message);
            cond = std::string("1 = 0");
        }
        const auto now = ToUnixMillis(clock_.Now());
        // A workflow's population also gives each recipient its segment code.
        std::string segment = "''";
        if (auto table = WorkflowAudienceTable(d.audience); table && targeted) {
            segment =
                fmt::format("COALESCE((SELECT w.segment_code FROM {} w WHERE w.id = t.id), '')",
                            storage::QuoteIdent(*table));
        }
        auto sql = fmt::format(
            "INSERT INTO delivery_recipients (delivery_id, profile_id, address, status, "
            "updated_at, segment_code) SELECT CAST({} AS BIGINT), t.id, COALESCE(t.email, ''), "
            "'pending', CAST({} AS BIGINT), {} FROM profiles t WHERE {}",
            params.Add(id), params.Add(now), segment, *cond);
        auto st = storage::WithWrite(db_, [&](storage::Transaction& tx) -> Result<std::int64_t> {
            if (auto n = tx.Exec("prepare-clear", {Value(id)}); !n) return Fail(n.error());
            if (auto n = tx.Exec("prepare-clear-counters", {Value(id)}); !n) {
                return Fail(n.error());
            }
            return tx.ExecSql(sql, params.values());
        });
        if (!st) return Fail(st.error());
        out.total = *st;
    }
    if (auto st = advance(); !st) return Fail(st.error());

    // 3. The exclusions.
    const auto now = clock_.Now();
    auto exclude = [&](std::string cause, const std::string& condition, Params params) -> Status {
        auto sql = fmt::format(
            "UPDATE delivery_recipients SET status = 'ignored', failure_type = 'ignored', "
            "reason = {}, updated_at = CAST({} AS BIGINT) WHERE delivery_id = CAST({} AS BIGINT) "
            "AND status = 'pending' AND ({})",
            params.Add(cause), params.Add(ToUnixMillis(now)), params.Add(id), condition);
        auto n = storage::WithWrite(
            db_, [&](storage::Transaction& tx) { return tx.ExecSql(sql, params.values()); });
        if (!n) return Fail(n.error());
        return advance();
    };
    const std::vector<std::pair<std::string, std::string>> fixed = {
        {"address_missing", "address = ''"},
        {"address_invalid", "address NOT LIKE '%_@_%'"},
        {"blocked", "profile_id IN (SELECT p.id FROM profiles p WHERE p.block_all)"},
        {"opted_out", "profile_id IN (SELECT p.id FROM profiles p WHERE p.block_email)"},
        {"denylisted",
         "address IN (SELECT q.address FROM quarantine q WHERE q.channel = 'email' AND "
         "q.status = 'denylisted')"},
        {"quarantined",
         "address IN (SELECT q.address FROM quarantine q WHERE q.channel = 'email' AND "
         "q.status = 'quarantined')"},
    };
    for (const auto& [cause, condition] : fixed) {
        if (auto st = exclude(cause, condition, Params(dialect)); !st) return Fail(st.error());
    }
    for (const auto& f : typology.filters) {
        Params params(dialect);
        auto expr = query::Parse(f.expression);
        Result<query::Checked> checked = expr ? query::Check(*expr, model, "profile", f.expression)
                                              : Result<query::Checked>(Fail(expr.error()));
        Result<query::SqlFilter> sql =
            checked ? query::EmitSql(query::Normalize(*checked, clock_), dialect, params, clock_)
                    : Result<query::SqlFilter>(Fail(checked.error()));
        if (!sql) {
            out.errors.push_back(
                fmt::format("typology filter {}: {}", f.name, sql.error().message));
            if (auto st = advance(); !st) return Fail(st.error());
            continue;
        }
        auto condition =
            fmt::format("profile_id IN (SELECT t.id FROM profiles t WHERE {})", sql->condition);
        if (auto st = exclude("filter:" + f.name, condition, std::move(params)); !st) {
            return Fail(st.error());
        }
    }
    for (const auto& f : typology.fatigue) {
        Params params(dialect);
        const auto since = ToUnixMillis(now - std::chrono::hours(f.window_hours));
        auto condition = fmt::format(
            "profile_id IN (SELECT r.profile_id FROM delivery_recipients r JOIN deliveries o ON "
            "o.id = r.delivery_id WHERE r.delivery_id <> CAST({} AS BIGINT) AND {} AND "
            "((r.status = 'sent' AND r.sent_at >= CAST({} AS BIGINT)) OR (r.status = 'pending' "
            "AND o.state IN ('scheduled', 'sending', 'paused'))) GROUP BY r.profile_id HAVING "
            "count(*) >= CAST({} AS BIGINT))",
            params.Add(id), f.any_channel ? "1 = 1" : "o.channel = 'email'", params.Add(since),
            params.Add(f.max));
        if (auto st = exclude("fatigue:" + f.name, condition, std::move(params)); !st) {
            return Fail(st.error());
        }
    }
    {
        Params params(dialect);
        auto condition = fmt::format(
            "profile_id NOT IN (SELECT min(r.profile_id) FROM delivery_recipients r WHERE "
            "r.delivery_id = CAST({} AS BIGINT) AND r.status = 'pending' GROUP BY "
            "lower(r.address))",
            params.Add(id));
        if (auto st = exclude("duplicate_address", condition, std::move(params)); !st) {
            return Fail(st.error());
        }
    }

    // 4. Counts.
    auto counts = storage::WithRead(
        db_, [&](storage::Transaction& tx) { return tx.Query("prepare-counts", {Value(id)}); });
    if (!counts) return Fail(counts.error());
    std::vector<std::string> order = {"address_missing", "address_invalid", "blocked",
                                      "opted_out",       "denylisted",      "quarantined"};
    for (const auto& f : typology.filters) order.push_back("filter:" + f.name);
    for (const auto& f : typology.fatigue) order.push_back("fatigue:" + f.name);
    order.push_back("duplicate_address");
    for (const auto& cause : order) {
        std::int64_t n = 0;
        for (const auto& r : counts->rows) {
            if (storage::AsString(r[0]) == "ignored" && storage::AsString(r[1]) == cause) {
                n += storage::AsInt(r[2]);
            }
        }
        out.excluded.emplace_back(cause, n);
    }
    for (const auto& r : counts->rows) {
        if (storage::AsString(r[0]) == "pending") out.to_send += storage::AsInt(r[2]);
    }
    if (out.to_send == 0 && out.errors.empty()) {
        out.warnings.push_back("nobody is left to send to: check the audience and the exclusions");
    }
    if (auto st = advance(); !st) return Fail(st.error());
    out.prepared_at = clock_.Now();
    return out;
}

}  // namespace overture::service
