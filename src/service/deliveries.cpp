// DeliveryService: deliveries as rows of `deliveries` (content, audience and settings as checked
// JSON), their transitions as one conditional UPDATE each (WHERE state = the state we saw), the
// sending log's counters and pages, proofs and previews.
#include "service/deliveries.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>
#include <set>

#include "common/strings.hpp"
#include "query/parser.hpp"
#include "query/printer.hpp"
#include "query/typecheck.hpp"
#include "schema/dates.hpp"
#include "schema/email.hpp"
#include "service/queries.hpp"
#include "service/typologies.hpp"
#include "storage/field_values.hpp"
#include "storage/sql_text.hpp"
#include "workflow/tables.hpp"

namespace overture::service {

namespace json = boost::json;
using delivery::Action;
using delivery::State;
using storage::AsBool;
using storage::AsInt;
using storage::AsString;
using storage::Dialect;
using storage::IsNull;
using storage::Transaction;
using storage::Value;

namespace {

constexpr std::size_t kMaxListIds = 10000;
constexpr std::size_t kMaxTestProfiles = 100;
constexpr std::size_t kMaxLabel = 200;
constexpr std::size_t kMaxSubject = 1000;
constexpr std::size_t kMaxExpressionLength = 10000;

// ---- JSON helpers --------------------------------------------------------------------------

Error Bad(std::string field, std::string message) {
    return Error::InvalidField(std::move(field), std::move(message));
}

Status OnlyKeys(const json::object& o, std::string_view prefix,
                std::initializer_list<std::string_view> keys) {
    for (const auto& kv : o) {
        bool known = false;
        for (auto k : keys) known = known || k == kv.key();
        if (!known) {
            auto field = fmt::format("{}.{}", prefix, std::string_view(kv.key()));
            return Fail(Bad(field, fmt::format("unknown field \"{}\"; the fields are: {}", field,
                                               fmt::join(keys, ", "))));
        }
    }
    return {};
}

Result<std::string> StringAt(const json::object& o, std::string_view key, const std::string& field,
                             std::string_view fallback = {}) {
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return std::string(fallback);
    if (!v->is_string()) return Fail(Bad(field, field + " must be a string"));
    if (!IsValidUtf8(v->get_string())) return Fail(Bad(field, field + " must be UTF-8 text"));
    return std::string(v->get_string());
}

Result<std::int64_t> IntAt(const json::object& o, std::string_view key, const std::string& field,
                           std::int64_t fallback, std::int64_t min, std::int64_t max) {
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return fallback;
    if (!v->is_int64() && !(v->is_uint64() && v->get_uint64() <= INT64_MAX)) {
        return Fail(Bad(field, field + " must be a whole number"));
    }
    const std::int64_t n = v->to_number<std::int64_t>();
    if (n < min || n > max) {
        return Fail(Bad(field, fmt::format("{} must be between {} and {}", field, min, max)));
    }
    return n;
}

Result<std::string> ChoiceAt(const json::object& o, std::string_view key, const std::string& field,
                             std::initializer_list<std::string_view> choices) {
    auto s = StringAt(o, key, field, *choices.begin());
    if (!s) return s;
    for (auto c : choices) {
        if (*s == c) return s;
    }
    return Fail(Bad(field, fmt::format("{} must be one of {}", field, fmt::join(choices, ", "))));
}

Result<std::vector<std::int64_t>> IdsAt(const json::object& o, std::string_view key,
                                        const std::string& field, std::size_t max) {
    std::vector<std::int64_t> out;
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return out;
    if (!v->is_array()) return Fail(Bad(field, field + " must be an array of ids"));
    if (v->get_array().size() > max) {
        return Fail(Bad(field, fmt::format("{} may hold at most {} ids", field, max)));
    }
    std::set<std::int64_t> seen;
    for (const auto& item : v->get_array()) {
        if (!item.is_int64() || item.get_int64() <= 0) {
            return Fail(Bad(field, field + " must be an array of positive whole numbers"));
        }
        if (seen.insert(item.get_int64()).second) out.push_back(item.get_int64());
    }
    return out;
}

json::array IdsJson(const std::vector<std::int64_t>& ids) {
    json::array out;
    for (auto id : ids) out.emplace_back(id);
    return out;
}

std::optional<TimePoint> ParseCanonical(std::string_view s) {
    // "YYYY-MM-DDTHH:MM:SS.mmmZ", as schema::ParseIsoDateTime answers.
    auto num = [&](std::size_t pos, std::size_t len) {
        int v = 0;
        std::from_chars(s.data() + pos, s.data() + pos + len, v);
        return v;
    };
    if (s.size() < 23) return std::nullopt;
    using namespace std::chrono;
    year_month_day ymd{year(num(0, 4)), month(static_cast<unsigned>(num(5, 2))),
                       day(static_cast<unsigned>(num(8, 2)))};
    return TimePoint(duration_cast<milliseconds>(sys_days(ymd).time_since_epoch()) +
                     hours(num(11, 2)) + minutes(num(14, 2)) + seconds(num(17, 2)) +
                     milliseconds(num(20, 3)));
}

// ---- content, audience, settings -------------------------------------------------------------

Result<json::value> CheckAddress(const json::value* v, const std::string& field, bool nullable) {
    if (!v || v->is_null()) {
        if (nullable) return json::value(nullptr);
        return json::value(json::object{{"name", ""}, {"address", ""}});
    }
    if (!v->is_object()) return Fail(Bad(field, field + " must be an object"));
    const auto& o = v->get_object();
    if (auto st = OnlyKeys(o, field, {"name", "address"}); !st) return Fail(st.error());
    auto name = StringAt(o, "name", field + ".name");
    if (!name) return Fail(name.error());
    if (name->size() > 200 ||
        name->find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
        return Fail(Bad(field + ".name", field + ".name must be one line of at most 200 bytes"));
    }
    auto address = StringAt(o, "address", field + ".address");
    if (!address) return Fail(address.error());
    std::string normalized;
    if (!Trim(*address).empty()) {
        auto n = schema::NormalizeEmail(*address);
        if (!n) {
            return Fail(
                Bad(field + ".address", fmt::format("{}.address: {}", field, n.error().message)));
        }
        normalized = n->address;
    }
    return json::value(json::object{{"name", *name}, {"address", normalized}});
}

Result<json::object> CheckContent(const json::object& in) {
    if (auto st = OnlyKeys(in, "content",
                           {"from", "replyTo", "subject", "html", "text", "textMode", "editor",
                            "mjml", "preheader"});
        !st) {
        return Fail(st.error());
    }
    json::object out;
    auto from = CheckAddress(in.if_contains("from"), "content.from", false);
    if (!from) return Fail(from.error());
    out["from"] = std::move(*from);
    auto reply = CheckAddress(in.if_contains("replyTo"), "content.replyTo", true);
    if (!reply) return Fail(reply.error());
    out["replyTo"] = std::move(*reply);
    auto subject = StringAt(in, "subject", "content.subject");
    if (!subject) return Fail(subject.error());
    if (subject->size() > kMaxSubject) {
        return Fail(Bad("content.subject",
                        fmt::format("content.subject must be at most {} bytes", kMaxSubject)));
    }
    out["subject"] = *subject;
    for (std::string_view key : {"html", "text", "mjml", "preheader"}) {
        auto v = StringAt(in, key, fmt::format("content.{}", key));
        if (!v) return Fail(v.error());
        out[key] = *v;
    }
    auto text_mode = ChoiceAt(in, "textMode", "content.textMode", {"auto", "manual"});
    if (!text_mode) return Fail(text_mode.error());
    out["textMode"] = *text_mode;
    auto editor = ChoiceAt(in, "editor", "content.editor", {"html", "mjml"});
    if (!editor) return Fail(editor.error());
    out["editor"] = *editor;
    return out;
}

// The audience's shape; whether a saved audience exists is checked in the transaction.
Result<json::object> CheckAudience(const json::object& in,
                                   std::shared_ptr<const schema::Model> model) {
    if (in.empty()) return json::object();  // none yet: preparation refuses it
    auto kind = StringAt(in, "kind", "audience.kind");
    if (!kind) return Fail(kind.error());
    if (*kind == "audience") {
        if (auto st = OnlyKeys(in, "audience", {"kind", "audienceId"}); !st) {
            return Fail(st.error());
        }
        if (!in.contains("audienceId")) {
            return Fail(Bad("audience.audienceId", "audience.audienceId is required"));
        }
        auto id = IntAt(in, "audienceId", "audience.audienceId", 0, 1, INT64_MAX);
        if (!id) return Fail(id.error());
        return json::object{{"kind", "audience"}, {"audienceId", *id}};
    }
    if (*kind == "query") {
        if (auto st = OnlyKeys(in, "audience", {"kind", "expression"}); !st) {
            return Fail(st.error());
        }
        auto text = StringAt(in, "expression", "audience.expression");
        if (!text) return Fail(text.error());
        if (Trim(*text).empty()) {
            return Fail(Bad("audience.expression", "audience.expression is required"));
        }
        if (text->size() > kMaxExpressionLength) {
            return Fail(Bad("audience.expression",
                            fmt::format("audience.expression must be at most {} characters",
                                        kMaxExpressionLength)));
        }
        auto expr = query::Parse(*text);
        if (!expr) return Fail(std::move(expr.error()).With("field", "audience.expression"));
        auto checked = query::Check(*expr, std::move(model), "profile", *text);
        if (!checked) {
            Error e = std::move(checked.error());
            e.details["field"] = "audience.expression";
            return Fail(std::move(e));
        }
        return json::object{{"kind", "query"}, {"expression", query::Print(*expr)}};
    }
    if (*kind == "list") {
        if (auto st = OnlyKeys(in, "audience", {"kind", "profileIds"}); !st) {
            return Fail(st.error());
        }
        auto ids = IdsAt(in, "profileIds", "audience.profileIds", kMaxListIds);
        if (!ids) return Fail(ids.error());
        if (ids->empty()) {
            return Fail(Bad("audience.profileIds",
                            "audience.profileIds must name at least one "
                            "profile"));
        }
        return json::object{{"kind", "list"}, {"profileIds", IdsJson(*ids)}};
    }
    if (*kind == "workflow") {
        if (auto st = OnlyKeys(in, "audience", {"kind", "table"}); !st) return Fail(st.error());
        auto table = StringAt(in, "table", "audience.table");
        if (!table) return Fail(table.error());
        if (!workflow::IsWorkingTableName(*table)) {
            return Fail(Bad("audience.table",
                            "audience.table must name a workflow working table (wkf_<n>_<n>)"));
        }
        return json::object{{"kind", "workflow"}, {"table", *table}};
    }
    return Fail(Bad("audience.kind",
                    "audience.kind must be \"audience\", \"query\", \"list\" or \"workflow\""));
}

// A workflow audience's table is registered by the engine and not dropped yet.
Result<bool> WorkflowTableLive(Transaction& tx, Dialect dialect, const std::string& table) {
    storage::Params params(dialect);
    const std::string sql = fmt::format(
        "SELECT 1 FROM workflow_tables WHERE name = {} AND dropped_at IS NULL", params.Add(table));
    auto rows = tx.QuerySql(sql, params.values());
    if (!rows) return Fail(rows.error());
    return !rows->empty();
}

Result<json::object> CheckSchedule(const json::value* v) {
    if (!v || v->is_null()) return json::object{{"kind", "now"}};
    if (!v->is_object())
        return Fail(Bad("settings.schedule", "settings.schedule must be an object"));
    const auto& in = v->get_object();
    auto kind = ChoiceAt(in, "kind", "settings.schedule.kind", {"now", "at", "local"});
    if (!kind) return Fail(kind.error());
    if (*kind == "now") {
        if (auto st = OnlyKeys(in, "settings.schedule", {"kind"}); !st) return Fail(st.error());
        return json::object{{"kind", "now"}};
    }
    if (*kind == "at") {
        if (auto st = OnlyKeys(in, "settings.schedule", {"kind", "at"}); !st) {
            return Fail(st.error());
        }
        auto at = StringAt(in, "at", "settings.schedule.at");
        if (!at) return Fail(at.error());
        auto canonical = schema::ParseIsoDateTime(*at);
        if (at->empty() || !canonical) {
            return Fail(Bad("settings.schedule.at",
                            "settings.schedule.at must be an ISO 8601 date-time, e.g. "
                            "2026-12-01T09:00:00Z"));
        }
        return json::object{{"kind", "at"}, {"at", *canonical}};
    }
    if (auto st = OnlyKeys(in, "settings.schedule", {"kind", "date", "time", "defaultTimeZone"});
        !st) {
        return Fail(st.error());
    }
    auto date = StringAt(in, "date", "settings.schedule.date");
    if (!date) return Fail(date.error());
    if (!schema::ParseIsoDate(*date)) {
        return Fail(Bad("settings.schedule.date", "settings.schedule.date must be YYYY-MM-DD"));
    }
    auto time = StringAt(in, "time", "settings.schedule.time");
    if (!time) return Fail(time.error());
    const bool time_ok = time->size() == 5 && (*time)[2] == ':' &&
                         time->find_first_not_of("0123456789:") == std::string::npos &&
                         std::stoi(time->substr(0, 2)) < 24 && std::stoi(time->substr(3, 2)) < 60;
    if (!time_ok) {
        return Fail(Bad("settings.schedule.time", "settings.schedule.time must be HH:MM (24 h)"));
    }
    auto zone = StringAt(in, "defaultTimeZone", "settings.schedule.defaultTimeZone", "UTC");
    if (!zone) return Fail(zone.error());
    bool zone_ok = false;
    try {
        zone_ok = date::locate_zone(*zone) != nullptr;
    } catch (const std::exception&) {
        zone_ok = false;
    }
    if (!zone_ok) {
        return Fail(Bad("settings.schedule.defaultTimeZone",
                        fmt::format("settings.schedule.defaultTimeZone: unknown time zone '{}' "
                                    "(use an IANA name such as Europe/Paris)",
                                    *zone)));
    }
    return json::object{
        {"kind", "local"}, {"date", *date}, {"time", *time}, {"defaultTimeZone", *zone}};
}

Result<json::object> CheckSettingsShape(const json::object& in) {
    if (auto st = OnlyKeys(in, "settings",
                           {"testProfileIds", "schedule", "validityHours", "throughputPerHour",
                            "retryDelaySeconds", "tracking"});
        !st) {
        return Fail(st.error());
    }
    json::object out;
    auto ids = IdsAt(in, "testProfileIds", "settings.testProfileIds", kMaxTestProfiles);
    if (!ids) return Fail(ids.error());
    out["testProfileIds"] = IdsJson(*ids);
    auto schedule = CheckSchedule(in.if_contains("schedule"));
    if (!schedule) return Fail(schedule.error());
    out["schedule"] = std::move(*schedule);
    auto validity = IntAt(in, "validityHours", "settings.validityHours", 72, 1, 720);
    if (!validity) return Fail(validity.error());
    out["validityHours"] = *validity;
    auto throughput =
        IntAt(in, "throughputPerHour", "settings.throughputPerHour", 0, 0, 1'000'000'000);
    if (!throughput) return Fail(throughput.error());
    out["throughputPerHour"] = *throughput;
    auto retry = IntAt(in, "retryDelaySeconds", "settings.retryDelaySeconds", 600, 1, 4 * 3600);
    if (!retry) return Fail(retry.error());
    out["retryDelaySeconds"] = *retry;
    // Tracking (docs/tracking.md): the open pixel and click redirects, both on by default.
    json::object tracking{{"opens", true}, {"clicks", true}};
    if (const json::value* t = in.if_contains("tracking"); t && !t->is_null()) {
        if (!t->is_object()) {
            return Fail(
                Bad("settings.tracking",
                    "settings.tracking must be an object {\"opens\": bool, \"clicks\": bool}"));
        }
        if (auto st = OnlyKeys(t->get_object(), "settings.tracking", {"opens", "clicks"}); !st) {
            return Fail(st.error());
        }
        for (const char* key : {"opens", "clicks"}) {
            if (const json::value* v = t->get_object().if_contains(key)) {
                if (!v->is_bool()) {
                    return Fail(
                        Bad(fmt::format("settings.tracking.{}", key),
                            fmt::format("settings.tracking.{} must be true or false", key)));
                }
                tracking[key] = v->get_bool();
            }
        }
    }
    out["tracking"] = std::move(tracking);
    return out;
}

std::vector<std::int64_t> IdsOf(const json::object& o, std::string_view key) {
    std::vector<std::int64_t> out;
    if (const json::value* v = o.if_contains(key); v && v->is_array()) {
        for (const auto& id : v->get_array()) {
            if (id.is_int64()) out.push_back(id.get_int64());
        }
    }
    return out;
}

// ---- rows ----------------------------------------------------------------------------------

json::object ParseObjectText(const Value& v) {
    if (IsNull(v)) return {};
    boost::system::error_code ec;
    auto parsed = json::parse(AsString(v), ec);
    if (ec || !parsed.is_object()) return {};
    return std::move(parsed.get_object());
}

std::optional<TimePoint> TimeOrNone(const Value& v) {
    if (IsNull(v)) return std::nullopt;
    return FromUnixMillis(AsInt(v));
}

Value IdOrNull(const std::optional<std::int64_t>& id) { return id ? Value(*id) : Value(); }

// A row of delivery-get / delivery-list.
Delivery FromRow(const std::vector<Value>& r) {
    Delivery d;
    d.id = DeliveryId(AsInt(r[0]));
    d.label = AsString(r[1]);
    d.channel = AsString(r[2]);
    d.is_template = AsBool(r[3]);
    d.state = delivery::ParseState(AsString(r[4])).value_or(State::kFailed);
    if (!IsNull(r[5])) d.route_id = AsInt(r[5]);
    if (!IsNull(r[6])) d.typology_id = AsInt(r[6]);
    d.content = ParseObjectText(r[7]);
    d.audience = ParseObjectText(r[8]);
    d.settings = ParseObjectText(r[9]);
    if (!IsNull(r[10])) d.preparation = PreparationFromJson(AsString(r[10]));
    d.progress_done = AsInt(r[11]);
    d.progress_total = AsInt(r[12]);
    d.start_at = TimeOrNone(r[13]);
    d.valid_until = TimeOrNone(r[14]);
    d.confirmed_at = TimeOrNone(r[15]);
    d.confirmed_by = AsString(r[16]);
    d.started_at = TimeOrNone(r[17]);
    d.finished_at = TimeOrNone(r[18]);
    d.proof_count = static_cast<int>(AsInt(r[19]));
    d.version = AsInt(r[20]);
    d.created_at = FromUnixMillis(AsInt(r[21]));
    d.created_by = AsString(r[22]);
    d.modified_at = FromUnixMillis(AsInt(r[23]));
    d.modified_by = AsString(r[24]);
    d.failure = AsString(r[25]);
    if (d.preparation) d.counters.to_send = d.preparation->to_send;
    return d;
}

Error NoSuchDelivery(DeliveryId id) {
    return Error::NotFound(fmt::format("there is no delivery with id {}", id.value()));
}

Result<Delivery> LoadRow(Transaction& tx, DeliveryId id) {
    auto rows = tx.Query(q::kDeliveryGet, {id.value()});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(NoSuchDelivery(id));
    return FromRow(rows->rows[0]);
}

Status LoadCounters(Transaction& tx, Delivery& d, TimePoint now) {
    auto rows = tx.Query(q::kDeliveryCounters, {d.id.value()});
    if (!rows) return Fail(rows.error());
    auto& c = d.counters;
    for (const auto& r : rows->rows) {
        const auto status = AsString(r[0]);
        const bool tried = AsInt(r[1]) != 0;
        const auto n = AsInt(r[2]);
        if (status == "pending") {
            c.pending += n;
            if (tried) c.retrying += n;
        } else if (status == "sent" || status == "delivered") {
            c.sent += n;
        } else if (status == "failed") {
            c.failed += n;
        } else if (status == "ignored") {
            c.ignored += n;
        }
    }
    if (d.started_at && (d.state == State::kSending || d.state == State::kFinished ||
                         d.state == State::kPaused || d.state == State::kStopped)) {
        const TimePoint end = d.state == State::kSending || !d.finished_at ? now : *d.finished_at;
        const double seconds = std::chrono::duration<double>(end - *d.started_at).count();
        if (seconds > 0) c.per_second = static_cast<double>(c.sent) / seconds;
    }
    if (d.state == State::kSending && c.per_second > 0) {
        c.eta_seconds = static_cast<std::int64_t>(static_cast<double>(c.pending) / c.per_second);
    }
    return {};
}

Error NotAllowed(const Delivery& d, Action action) {
    return Error::FailedPrecondition(fmt::format("cannot {} the delivery '{}': it is {}",
                                                 delivery::ActionName(action), d.label,
                                                 delivery::StateName(d.state)))
        .With("state", std::string(delivery::StateName(d.state)));
}

Error Changed(const Delivery& d) {
    return Error::FailedPrecondition(
               fmt::format("the delivery '{}' changed meanwhile; reload it and try again", d.label))
        .With("field", "version");
}

Result<std::string> CheckLabel(std::string_view label) {
    auto trimmed = std::string(Trim(label));
    if (trimmed.empty()) return Fail(Bad("label", "label is required"));
    if (!IsValidUtf8(trimmed) || storage::CodePoints(trimmed) > kMaxLabel) {
        return Fail(Bad("label", fmt::format("label must be at most {} characters", kMaxLabel)));
    }
    return trimmed;
}

// What must exist for the references of a delivery; inside the transaction that writes it.
Status CheckReferences(Transaction& tx, Dialect dialect,
                       const std::optional<std::int64_t>& route_id,
                       const std::optional<std::int64_t>& typology_id, const json::object& audience,
                       const json::object& settings) {
    if (route_id) {
        auto rows = tx.Query(q::kDeliveryRouteExists, {*route_id});
        if (!rows) return Fail(rows.error());
        if (rows->empty()) {
            return Fail(Error::NotFound(fmt::format("there is no route with id {}", *route_id))
                            .With("field", "routeId"));
        }
    }
    if (typology_id) {
        auto rows = tx.Query(q::kTypologyGet, {*typology_id});
        if (!rows) return Fail(rows.error());
        if (rows->empty()) {
            return Fail(
                Error::NotFound(fmt::format("there is no typology with id {}", *typology_id))
                    .With("field", "typologyId"));
        }
    }
    if (const json::value* id = audience.if_contains("audienceId")) {
        auto rows = tx.Query(q::kAudienceGet, {id->to_number<std::int64_t>()});
        if (!rows) return Fail(rows.error());
        if (rows->empty()) {
            return Fail(Bad("audience.audienceId", fmt::format("there is no audience with id {}",
                                                               id->to_number<std::int64_t>())));
        }
    }
    if (auto table = WorkflowAudienceTable(audience)) {
        auto live = WorkflowTableLive(tx, dialect, *table);
        if (!live) return Fail(live.error());
        if (!*live) {
            return Fail(
                Bad("audience.table",
                    fmt::format("the workflow population {} does not exist (any more)", *table)));
        }
    }
    for (auto id : IdsOf(settings, "testProfileIds")) {
        auto rows = tx.Query(q::kDeliveryTestProfileGet, {id});
        if (!rows) return Fail(rows.error());
        if (rows->empty()) {
            return Fail(Bad("settings.testProfileIds",
                            fmt::format("there is no test profile with id {}", id)));
        }
    }
    return {};
}

std::string StatesFilter(const std::vector<State>& states) {
    if (states.empty()) return {};
    std::string out = ",";
    for (auto s : states) {
        out += delivery::StateName(s);
        out += ',';
    }
    return out;
}

std::int64_t TemplatesMode(const std::optional<bool>& templates) {
    if (!templates) return 0;
    return *templates ? 1 : 2;
}

// When sending may start and when retries stop, from the schedule at confirmation.
struct Window {
    TimePoint start_at;
    TimePoint valid_until;
};

Result<Window> WindowOf(const json::object& settings, TimePoint now) {
    const auto validity = std::chrono::hours(
        settings.contains("validityHours") ? settings.at("validityHours").to_number<std::int64_t>()
                                           : 72);
    const json::object* schedule = nullptr;
    if (const json::value* v = settings.if_contains("schedule"); v && v->is_object()) {
        schedule = &v->get_object();
    }
    std::string kind = "now";
    if (schedule && schedule->contains("kind")) kind = schedule->at("kind").get_string();
    if (kind == "at") {
        auto at = ParseCanonical(schedule->at("at").get_string());
        if (!at) return Fail(Bad("settings.schedule.at", "settings.schedule.at is not readable"));
        if (*at <= now) {
            return Fail(Error::FailedPrecondition(
                            fmt::format("the scheduled time {} has passed: choose a later time "
                                        "or send now",
                                        FormatRfc3339(*at)))
                            .With("field", "settings.schedule.at"));
        }
        return Window{*at, *at + validity};
    }
    if (kind == "local") {
        // The first recipients to reach the local time are at UTC+14, the last at UTC-12; the
        // worker holds each recipient until their own local time. Retries may go on for the
        // validity period after the last of them.
        auto wall = ParseCanonical(
            fmt::format("{}T{}:00.000Z", std::string_view(schedule->at("date").get_string()),
                        std::string_view(schedule->at("time").get_string())));
        if (!wall) return Fail(Bad("settings.schedule", "settings.schedule is not readable"));
        const TimePoint earliest = *wall - std::chrono::hours(14);
        const TimePoint latest = *wall + std::chrono::hours(12);
        if (latest <= now) {
            return Fail(Error::FailedPrecondition(
                            "the local time of the schedule has passed in every time zone: "
                            "choose a later date")
                            .With("field", "settings.schedule.date"));
        }
        return Window{std::max(earliest, now), latest + validity};
    }
    return Window{now, now + validity};
}

// One sending-log row: the eleven columns delivery-logs and delivery-profile-history share.
SendingLogEntry LogEntryFromRow(const std::vector<Value>& r) {
    SendingLogEntry e;
    e.profile_id = AsInt(r[0]);
    e.address = AsString(r[1]);
    e.status = AsString(r[2]);
    e.failure_type = AsString(r[3]);
    e.reason = AsString(r[4]);
    e.detail = AsString(r[5]);
    e.attempts = static_cast<int>(AsInt(r[6]));
    if (e.status == "pending" && AsInt(r[7]) > 0) e.next_attempt_at = FromUnixMillis(AsInt(r[7]));
    e.sent_at = TimeOrNone(r[8]);
    e.updated_at = FromUnixMillis(AsInt(r[9]));
    e.segment_code = AsString(r[10]);
    return e;
}

json::object TypologyRules(Transaction& tx, const std::optional<std::int64_t>& typology_id) {
    auto rows = typology_id ? tx.Query(q::kTypologyGet, {*typology_id})
                            : tx.Query(q::kTypologyGetByName, {std::string(kDefaultTypologyName)});
    if (!rows || rows->empty()) return {};
    return ParseObjectText(rows->rows[0][3]);
}

}  // namespace

// ---- preparation as stored ---------------------------------------------------------------------

std::string PreparationToJson(const Preparation& p) {
    json::object o;
    o["total"] = p.total;
    o["toSend"] = p.to_send;
    json::array excluded;
    for (const auto& [cause, count] : p.excluded) {
        excluded.push_back(json::object{{"cause", cause}, {"count", count}});
    }
    o["excluded"] = std::move(excluded);
    json::array warnings, errors;
    for (const auto& w : p.warnings) warnings.emplace_back(w);
    for (const auto& e : p.errors) errors.emplace_back(e);
    o["warnings"] = std::move(warnings);
    o["errors"] = std::move(errors);
    o["preparedAt"] = FormatRfc3339(p.prepared_at);
    return json::serialize(o);
}

std::optional<Preparation> PreparationFromJson(std::string_view text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const auto& o = v.get_object();
    auto integer = [&](std::string_view key) -> std::int64_t {
        const json::value* x = o.if_contains(key);
        return x && x->is_number() ? x->to_number<std::int64_t>() : 0;
    };
    auto strings = [&](std::string_view key) {
        std::vector<std::string> out;
        if (const json::value* x = o.if_contains(key); x && x->is_array()) {
            for (const auto& s : x->get_array()) {
                if (s.is_string()) out.emplace_back(s.get_string());
            }
        }
        return out;
    };
    Preparation p;
    p.total = integer("total");
    p.to_send = integer("toSend");
    if (const json::value* x = o.if_contains("excluded"); x && x->is_array()) {
        for (const auto& e : x->get_array()) {
            if (!e.is_object()) continue;
            const auto& eo = e.get_object();
            const json::value* cause = eo.if_contains("cause");
            const json::value* count = eo.if_contains("count");
            if (cause && cause->is_string() && count && count->is_number()) {
                p.excluded.emplace_back(std::string(cause->get_string()),
                                        count->to_number<std::int64_t>());
            }
        }
    }
    p.warnings = strings("warnings");
    p.errors = strings("errors");
    if (const json::value* at = o.if_contains("preparedAt"); at && at->is_string()) {
        auto canonical = schema::ParseIsoDateTime(at->get_string());
        auto t = canonical ? ParseCanonical(*canonical) : std::nullopt;
        p.prepared_at = t.value_or(TimePoint{});
    } else {
        p.prepared_at = FromUnixMillis(integer("preparedAt"));
    }
    return p;
}

// ---- the service -------------------------------------------------------------------------------

Result<Delivery> DeliveryService::Create(const Actor& actor, const NewDelivery& in) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    auto label = CheckLabel(in.label);
    if (!label) return Fail(label.error());
    const auto now = clock_.Now();
    return storage::WithWrite(db_, [&](Transaction& tx) -> Result<Delivery> {
        json::object content, audience, settings;
        std::optional<std::int64_t> route_id = in.route_id, typology_id = in.typology_id;
        if (in.from_delivery) {
            auto source = LoadRow(tx, DeliveryId(*in.from_delivery));
            if (!source) {
                return Fail(std::move(source.error()).With("field", "fromDelivery"));
            }
            content = source->content;
            audience = source->audience;
            settings = source->settings;
            if (!route_id) route_id = source->route_id;
            if (!typology_id) typology_id = source->typology_id;
        }
        if (in.content) content = *in.content;
        if (in.audience) audience = *in.audience;
        if (in.settings) settings = *in.settings;
        auto checked_content = CheckContent(content);
        if (!checked_content) return Fail(checked_content.error());
        auto checked_audience = CheckAudience(audience, schema_.Current());
        if (!checked_audience) return Fail(checked_audience.error());
        auto checked_settings = CheckSettingsShape(settings);
        if (!checked_settings) return Fail(checked_settings.error());
        if (auto st = CheckReferences(tx, db_.dialect(), route_id, typology_id, *checked_audience,
                                      *checked_settings);
            !st) {
            return Fail(st.error());
        }
        auto rows =
            tx.Query(q::kDeliveryInsert,
                     {*label, std::string("email"), in.is_template,
                      std::string(delivery::StateName(State::kDraft)), IdOrNull(route_id),
                      IdOrNull(typology_id), json::serialize(*checked_content),
                      json::serialize(*checked_audience), json::serialize(*checked_settings),
                      ToUnixMillis(now), actor.username, IdOrNull(in.workflow_task)});
        if (!rows) return Fail(rows.error());
        DeliveryId id(AsInt(rows->rows.at(0).at(0)));
        AuditDetails details{{"label", *label}};
        if (in.is_template) details.emplace_back("isTemplate", "true");
        if (in.from_delivery)
            details.emplace_back("fromDelivery", std::to_string(*in.from_delivery));
        if (auto st = audit_.Record(tx, actor, "delivery.create", "delivery",
                                    std::to_string(id.value()), details);
            !st) {
            return Fail(st.error());
        }
        return LoadRow(tx, id);
    });
}

Result<Page<Delivery>> DeliveryService::List(const Actor& actor,
                                             const DeliveryListQuery& query) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    if (auto st = CheckLimit(query.page.limit); !st) return Fail(st.error());
    auto before = DecodeCursor(query.page.cursor, INT64_MAX);
    if (!before) return Fail(before.error());
    const auto now = clock_.Now();
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<Page<Delivery>> {
        auto rows =
            tx.Query(q::kDeliveryList,
                     {*before, StatesFilter(query.states), LikePattern(query.search),
                      TemplatesMode(query.templates),
                      query.created_after ? ToUnixMillis(*query.created_after) : INT64_MIN,
                      query.created_before ? ToUnixMillis(*query.created_before) : INT64_MAX,
                      std::int64_t{query.page.limit} + 1});
        if (!rows) return Fail(rows.error());
        Page<Delivery> out;
        for (const auto& row : rows->rows) {
            if (out.items.size() == static_cast<std::size_t>(query.page.limit)) {
                out.next = EncodeCursor(out.items.back().id.value());
                break;
            }
            out.items.push_back(FromRow(row));
            if (auto st = LoadCounters(tx, out.items.back(), now); !st) return Fail(st.error());
        }
        return out;
    });
}

Result<std::int64_t> DeliveryService::Count(const Actor& actor,
                                            const DeliveryListQuery& query) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<std::int64_t> {
        auto rows = tx.Query(
            q::kDeliveryCount,
            {StatesFilter(query.states), LikePattern(query.search), TemplatesMode(query.templates),
             query.created_after ? ToUnixMillis(*query.created_after) : INT64_MIN,
             query.created_before ? ToUnixMillis(*query.created_before) : INT64_MAX});
        if (!rows) return Fail(rows.error());
        return AsInt(rows->rows.at(0).at(0));
    });
}

Result<Delivery> DeliveryService::Get(const Actor& actor, DeliveryId id) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    const auto now = clock_.Now();
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<Delivery> {
        auto d = LoadRow(tx, id);
        if (!d) return d;
        if (auto st = LoadCounters(tx, *d, now); !st) return Fail(st.error());
        return d;
    });
}

Result<Delivery> DeliveryService::Load(DeliveryId id) const {
    return storage::WithRead(db_, [&](Transaction& tx) { return LoadRow(tx, id); });
}

Result<std::optional<DeliveryId>> DeliveryService::FindByWorkflowTask(std::int64_t task) const {
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<std::optional<DeliveryId>> {
        auto rows = tx.Query(q::kDeliveryByWorkflowTask, {task});
        if (!rows) return Fail(rows.error());
        if (rows->empty()) return std::optional<DeliveryId>();
        return std::optional<DeliveryId>(DeliveryId(AsInt(rows->rows[0][0])));
    });
}

Result<Delivery> DeliveryService::Update(const Actor& actor, DeliveryId id,
                                         const DeliveryPatch& patch) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    std::optional<std::string> label;
    if (patch.label) {
        auto checked = CheckLabel(*patch.label);
        if (!checked) return Fail(checked.error());
        label = std::move(*checked);
    }
    std::optional<json::object> content, audience, settings;
    if (patch.content) {
        auto checked = CheckContent(*patch.content);
        if (!checked) return Fail(checked.error());
        content = std::move(*checked);
    }
    if (patch.audience) {
        auto checked = CheckAudience(*patch.audience, schema_.Current());
        if (!checked) return Fail(checked.error());
        audience = std::move(*checked);
    }
    if (patch.settings) {
        auto checked = CheckSettingsShape(*patch.settings);
        if (!checked) return Fail(checked.error());
        settings = std::move(*checked);
    }
    const auto now = clock_.Now();
    return storage::WithWrite(db_, [&](Transaction& tx) -> Result<Delivery> {
        auto before = LoadRow(tx, id);
        if (!before) return before;
        if (patch.version && *patch.version != before->version) {
            return Fail(Changed(*before).With("version", std::to_string(before->version)));
        }
        auto next = delivery::Next(before->state, Action::kEdit);
        if (!next) return Fail(NotAllowed(*before, Action::kEdit));
        Delivery after = *before;
        AuditDetails details;
        if (label && *label != before->label) {
            after.label = *label;
            details.emplace_back("label", *label);
        }
        if (patch.route_id && *patch.route_id != before->route_id) {
            after.route_id = *patch.route_id;
            details.emplace_back("routeId",
                                 after.route_id ? std::to_string(*after.route_id) : "default");
        }
        if (patch.typology_id && *patch.typology_id != before->typology_id) {
            after.typology_id = *patch.typology_id;
            details.emplace_back(
                "typologyId", after.typology_id ? std::to_string(*after.typology_id) : "default");
        }
        if (content && *content != before->content) {
            after.content = *content;
            details.emplace_back("content", "changed");
        }
        if (audience && *audience != before->audience) {
            after.audience = *audience;
            details.emplace_back("audience", json::serialize(*audience));
        }
        if (settings && *settings != before->settings) {
            after.settings = *settings;
            details.emplace_back("settings", json::serialize(*settings));
        }
        if (auto st =
                CheckReferences(tx, db_.dialect(), patch.route_id ? after.route_id : std::nullopt,
                                patch.typology_id ? after.typology_id : std::nullopt,
                                audience ? after.audience : json::object(),
                                settings ? after.settings : json::object());
            !st) {
            return Fail(st.error());
        }
        // An edit of a ready delivery voids its preparation (and its sending log), even when
        // only the label changed: what was checked is not what would be sent.
        const bool unprepare = before->state == State::kReady;
        auto n = tx.Exec(q::kDeliveryUpdate,
                         {id.value(), after.label, IdOrNull(after.route_id),
                          IdOrNull(after.typology_id), json::serialize(after.content),
                          json::serialize(after.audience), json::serialize(after.settings),
                          ToUnixMillis(now), std::string(delivery::StateName(*next)),
                          std::int64_t{unprepare ? 1 : 0}, before->version, actor.username});
        if (!n) return Fail(n.error());
        if (*n == 0) return Fail(Changed(*before));
        if (unprepare) {
            if (auto r = tx.Exec(q::kDeliveryRecipientsClear, {id.value()}); !r) {
                return Fail(r.error());
            }
            if (auto r = tx.Exec(q::kPrepareClearCounters, {id.value()}); !r) {
                return Fail(r.error());
            }
            details.emplace_back("state", std::string(delivery::StateName(*next)));
        }
        if (auto st = audit_.Record(tx, actor, "delivery.update", "delivery",
                                    std::to_string(id.value()), details);
            !st) {
            return Fail(st.error());
        }
        auto out = LoadRow(tx, id);
        if (!out) return out;
        if (auto st = LoadCounters(tx, *out, now); !st) return Fail(st.error());
        return out;
    });
}

Status DeliveryService::Delete(const Actor& actor, DeliveryId id) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    return storage::WithWrite(db_, [&](Transaction& tx) -> Status {
        auto before = LoadRow(tx, id);
        if (!before) return Fail(before.error());
        if (!delivery::Next(before->state, Action::kDelete)) {
            return Fail(NotAllowed(*before, Action::kDelete));
        }
        auto n = tx.Exec(q::kDeliveryDelete,
                         {id.value(), std::string(delivery::StateName(before->state))});
        if (!n) return Fail(n.error());
        if (*n == 0) return Fail(Changed(*before));
        return audit_.Record(
            tx, actor, "delivery.delete", "delivery", std::to_string(id.value()),
            {{"label", before->label}, {"state", std::string(delivery::StateName(before->state))}});
    });
}

Result<Delivery> DeliveryService::Prepare(const Actor& actor, DeliveryId id) const {
    return Transition(actor, id, Action::kPrepare);
}
Result<Delivery> DeliveryService::Confirm(const Actor& actor, DeliveryId id) const {
    return Transition(actor, id, Action::kConfirm);
}
Result<Delivery> DeliveryService::Pause(const Actor& actor, DeliveryId id) const {
    return Transition(actor, id, Action::kPause);
}
Result<Delivery> DeliveryService::Resume(const Actor& actor, DeliveryId id) const {
    return Transition(actor, id, Action::kResume);
}
Result<Delivery> DeliveryService::Stop(const Actor& actor, DeliveryId id) const {
    return Transition(actor, id, Action::kStop);
}

// One transition: the state is read, checked against the table (delivery/state.hpp) and the
// action's own conditions, then written with an UPDATE that holds only if the state is still
// the one read, so that of two concurrent actions one wins and the other is refused.
Result<Delivery> DeliveryService::Transition(const Actor& actor, DeliveryId id,
                                             Action action) const {
    const Permission needed = action == Action::kConfirm || action == Action::kResume
                                  ? Permission::kConfirmDeliveries
                                  : Permission::kWriteData;
    if (auto st = Require(actor, needed); !st) return Fail(st.error());
    const auto now = clock_.Now();
    auto result = storage::WithWrite(db_, [&](Transaction& tx) -> Result<Delivery> {
        auto before = LoadRow(tx, id);
        if (!before) return before;
        auto next = delivery::Next(before->state, action);
        if (!next) return Fail(NotAllowed(*before, action));
        const std::string from(delivery::StateName(before->state));
        const std::string to(delivery::StateName(*next));
        AuditDetails details{{"from", from}, {"to", to}};
        Result<std::int64_t> n = 0;
        switch (action) {
            case Action::kPrepare: {
                if (before->is_template) {
                    return Fail(Error::FailedPrecondition(
                        fmt::format("'{}' is a template: create a delivery from it to send it",
                                    before->label)));
                }
                n = tx.Exec(q::kDeliverySetPreparing,
                            {id.value(), from, ToUnixMillis(now), actor.username});
                break;
            }
            case Action::kConfirm: {
                const auto& p = before->preparation;
                if (!p) {
                    return Fail(Error::FailedPrecondition(
                        fmt::format("the delivery '{}' has not been prepared", before->label)));
                }
                if (!p->errors.empty()) {
                    return Fail(Error::FailedPrecondition(
                        fmt::format("the preparation of '{}' found blocking errors: {}",
                                    before->label, fmt::join(p->errors, "; "))));
                }
                if (p->to_send == 0) {
                    return Fail(Error::FailedPrecondition(fmt::format(
                        "the preparation of '{}' left nobody to send to", before->label)));
                }
                auto rules = TypologyRules(tx, before->typology_id);
                if (const json::value* proof = rules.if_contains("requireProof");
                    proof && proof->is_bool() && proof->get_bool()) {
                    auto proofs = tx.Query(q::kDeliveryProofCountSince,
                                           {id.value(), ToUnixMillis(p->prepared_at)});
                    if (!proofs) return Fail(proofs.error());
                    if (AsInt(proofs->rows.at(0).at(0)) == 0) {
                        return Fail(Error::FailedPrecondition(
                            fmt::format("the typology of '{}' requires a proof sent since the "
                                        "last preparation: send a proof first",
                                        before->label)));
                    }
                }
                auto window = WindowOf(before->settings, now);
                if (!window) return Fail(window.error());
                details.emplace_back("startAt", FormatRfc3339(window->start_at));
                n = tx.Exec(q::kDeliverySetConfirmed,
                            {id.value(), from, ToUnixMillis(window->start_at),
                             ToUnixMillis(window->valid_until), ToUnixMillis(now), actor.username});
                break;
            }
            case Action::kStop:
                n = tx.Exec(q::kDeliverySetStopped,
                            {id.value(), from, ToUnixMillis(now), actor.username});
                break;
            default:
                n = tx.Exec(q::kDeliverySetState,
                            {id.value(), to, from, ToUnixMillis(now), actor.username});
                break;
        }
        if (!n) return Fail(n.error());
        if (*n == 0) return Fail(Changed(*before));
        if (action == Action::kResume && before->state == State::kFailed) {
            // The rows waiting after route failures are due again at once.
            if (auto r = tx.Exec(q::kSendDueNow, {id.value()}); !r) return Fail(r.error());
        }
        if (auto st =
                audit_.Record(tx, actor, fmt::format("delivery.{}", delivery::ActionName(action)),
                              "delivery", std::to_string(id.value()), details);
            !st) {
            return Fail(st.error());
        }
        auto out = LoadRow(tx, id);
        if (!out) return out;
        if (auto st = LoadCounters(tx, *out, now); !st) return Fail(st.error());
        return out;
    });
    if (result && wake_) wake_();
    return result;
}

Result<ProofResult> DeliveryService::Proof(const Actor& actor, DeliveryId id,
                                           const std::vector<std::int64_t>& test_profiles) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    auto d = Load(id);
    if (!d) return Fail(d.error());
    if (!delivery::Next(d->state, Action::kProof)) return Fail(NotAllowed(*d, Action::kProof));
    std::vector<std::int64_t> ids = test_profiles;
    const char* field = "testProfileIds";
    if (ids.empty()) {
        ids = IdsOf(d->settings, "testProfileIds");
        field = "settings.testProfileIds";
    }
    if (ids.empty()) {
        return Fail(Bad("testProfileIds",
                        "choose the test profiles to send the proof to (testProfileIds, or the "
                        "delivery's settings.testProfileIds)"));
    }
    if (ids.size() > kMaxTestProfiles) {
        return Fail(Bad(field, fmt::format("at most {} test profiles", kMaxTestProfiles)));
    }
    auto checked = storage::WithRead(db_, [&](Transaction& tx) -> Status {
        for (auto tp : ids) {
            auto rows = tx.Query(q::kDeliveryTestProfileGet, {tp});
            if (!rows) return Fail(rows.error());
            if (rows->empty()) {
                return Fail(Bad(field, fmt::format("there is no test profile with id {}", tp)));
            }
            if (Trim(AsString(rows->rows[0][1])).empty()) {
                return Fail(
                    Bad(field, fmt::format("the test profile {} has no email address", tp)));
            }
        }
        return {};
    });
    if (!checked) return Fail(checked.error());
    if (!proofs_) {
        return Fail(Error::Unavailable("proofs cannot be sent: no sender is configured"));
    }
    const int number = d->proof_count + 1;
    auto sent = proofs_->SendProofs(id.value(), ids, number);
    if (!sent) return Fail(sent.error());
    const auto now = ToUnixMillis(clock_.Now());
    return storage::WithWrite(db_, [&](Transaction& tx) -> Result<ProofResult> {
        auto bumped = tx.Query(q::kDeliveryProofBump, {id.value()});
        if (!bumped) return Fail(bumped.error());
        if (bumped->empty()) return Fail(NoSuchDelivery(id));
        ProofResult out;
        out.number = static_cast<int>(AsInt(bumped->rows[0][0]));
        out.recipients = *sent;
        for (const auto& r : out.recipients) {
            auto n = tx.Exec(q::kDeliveryProofInsert,
                             {id.value(), std::int64_t{out.number}, r.test_profile_id, r.address,
                              r.status, r.reason, now, actor.username});
            if (!n) return Fail(n.error());
        }
        std::int64_t ok = 0;
        for (const auto& r : out.recipients) ok += r.status == "sent" ? 1 : 0;
        if (auto st =
                audit_.Record(tx, actor, "delivery.proof", "delivery", std::to_string(id.value()),
                              {{"number", std::to_string(out.number)},
                               {"recipients", std::to_string(out.recipients.size())},
                               {"sent", std::to_string(ok)}});
            !st) {
            return Fail(st.error());
        }
        return out;
    });
}

Result<std::vector<ProofEntry>> DeliveryService::ListProofs(const Actor& actor,
                                                            DeliveryId id) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<std::vector<ProofEntry>> {
        if (auto d = LoadRow(tx, id); !d) return Fail(d.error());
        auto rows = tx.Query(q::kDeliveryProofList, {id.value()});
        if (!rows) return Fail(rows.error());
        std::vector<ProofEntry> out;
        for (const auto& r : rows->rows) {
            ProofEntry e;
            e.number = static_cast<int>(AsInt(r[0]));
            e.test_profile_id = AsInt(r[1]);
            e.address = AsString(r[2]);
            e.status = AsString(r[3]);
            e.reason = AsString(r[4]);
            e.sent_at = FromUnixMillis(AsInt(r[5]));
            e.sent_by = AsString(r[6]);
            out.push_back(std::move(e));
        }
        return out;
    });
}

Result<RenderedParts> DeliveryService::Preview(const Actor& actor, DeliveryId id,
                                               const DeliveryPreviewRequest& request) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    if (request.profile_id && request.test_profile_id) {
        return Fail(Bad("profileId", "give either profileId or testProfileId, not both"));
    }
    if (!request.profile_id && !request.test_profile_id) {
        return Fail(Bad("profileId", "give the profileId or the testProfileId to preview for"));
    }
    auto d = Load(id);
    if (!d) return Fail(d.error());
    TemplateParts parts;
    auto part = [&](std::string_view key) -> std::optional<std::string> {
        const json::value* v = d->content.if_contains(key);
        if (!v || !v->is_string() || v->get_string().empty()) return std::nullopt;
        return std::string(v->get_string());
    };
    parts.subject = part("subject");
    parts.html = part("html");
    parts.text = part("text");
    if (!parts.subject && !parts.html && !parts.text) {
        return Fail(Error::FailedPrecondition(
            fmt::format("the delivery '{}' has no subject, HTML or text yet", d->label)));
    }
    PreviewData data;
    data.profile_id = request.profile_id;
    data.test_profile_id = request.test_profile_id;
    return templates_.Render(actor, parts, data);
}

Result<Page<SendingLogEntry>> DeliveryService::Logs(const Actor& actor, DeliveryId id,
                                                    const SendingLogQuery& query) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    if (auto st = CheckLimit(query.page.limit); !st) return Fail(st.error());
    auto after = DecodeCursor(query.page.cursor, 0);
    if (!after) return Fail(after.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<Page<SendingLogEntry>> {
        if (auto d = LoadRow(tx, id); !d) return Fail(d.error());
        auto rows = tx.Query(q::kDeliveryLogs,
                             {id.value(), *after, query.status, query.reason,
                              LikePattern(query.address), std::int64_t{query.page.limit} + 1});
        if (!rows) return Fail(rows.error());
        Page<SendingLogEntry> out;
        for (const auto& r : rows->rows) {
            if (out.items.size() == static_cast<std::size_t>(query.page.limit)) {
                out.next = EncodeCursor(out.items.back().profile_id);
                break;
            }
            SendingLogEntry e = LogEntryFromRow(r);
            e.delivery_id = id.value();
            out.items.push_back(std::move(e));
        }
        return out;
    });
}

Result<std::vector<SendingLogEntry>> DeliveryService::ProfileHistory(
    const Actor& actor, std::int64_t profile_id) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<std::vector<SendingLogEntry>> {
        auto exists = tx.Query(q::kProfileExists, {profile_id});
        if (!exists) return Fail(exists.error());
        if (exists->empty()) {
            return Fail(Error::NotFound(fmt::format("there is no profile with id {}", profile_id)));
        }
        auto rows = tx.Query(q::kDeliveryProfileHistory, {profile_id});
        if (!rows) return Fail(rows.error());
        std::vector<SendingLogEntry> out;
        for (const auto& r : rows->rows) {
            SendingLogEntry e = LogEntryFromRow(r);
            e.delivery_id = AsInt(r[11]);
            e.delivery_label = AsString(r[12]);
            out.push_back(std::move(e));
        }
        return out;
    });
}

std::optional<std::string> WorkflowAudienceTable(const json::object& audience) {
    const json::value* kind = audience.if_contains("kind");
    const json::value* table = audience.if_contains("table");
    if (!kind || !kind->is_string() || kind->get_string() != "workflow") return std::nullopt;
    if (!table || !table->is_string() || !workflow::IsWorkingTableName(table->get_string())) {
        return std::nullopt;
    }
    return std::string(table->get_string());
}

Result<std::string> DeliveryService::TargetCondition(const Delivery& d,
                                                     storage::Params& params) const {
    const json::value* kind = d.audience.if_contains("kind");
    if (!kind || !kind->is_string()) {
        return Fail(
            Error::FailedPrecondition(fmt::format("the delivery '{}' has no audience yet", d.label))
                .With("field", "audience"));
    }
    auto stale = [&](Error e) {
        Error out = Error::FailedPrecondition(fmt::format(
            "the audience of '{}' no longer fits the data model: {}", d.label, e.message));
        out.details = std::move(e.details);
        out.details["field"] = "audience";
        return out;
    };
    if (kind->get_string() == "workflow") {
        auto table = WorkflowAudienceTable(d.audience);
        if (!table) return Fail(stale(Error::InvalidArgument("the workflow table is not valid")));
        auto live = storage::WithRead(
            db_, [&](Transaction& tx) { return WorkflowTableLive(tx, db_.dialect(), *table); });
        if (!live) return Fail(live.error());
        if (!*live) {
            return Fail(Error::FailedPrecondition(
                            fmt::format("the workflow population of '{}' is gone: the workflow "
                                        "run that made it has moved on",
                                        d.label))
                            .With("field", "audience.table"));
        }
        return fmt::format("t.id IN (SELECT w.id FROM {} w)", storage::QuoteIdent(*table));
    }
    if (kind->get_string() == "list") {
        auto ids = IdsOf(d.audience, "profileIds");
        if (ids.empty()) return std::string("1 = 0");
        std::string out = "t.id IN (";
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (i > 0) out += ", ";
            out += params.Add(ids[i]);
        }
        out += ")";
        return out;
    }
    ListQuery list;
    if (kind->get_string() == "audience") {
        auto target = audiences_.Target(
            Actor::System(), AudienceId(d.audience.at("audienceId").to_number<std::int64_t>()));
        if (!target) {
            if (target.error().code == ErrorCode::kNotFound) {
                return Fail(Error::FailedPrecondition(
                                fmt::format("the audience of '{}' was deleted", d.label))
                                .With("field", "audience.audienceId"));
            }
            return Fail(target.error());
        }
        list = std::move(*target);
    } else {
        const json::value* text = d.audience.if_contains("expression");
        list.filter = text && text->is_string() ? std::string(text->get_string()) : "";
    }
    auto condition = records_.Condition("profile", list, params);
    if (!condition) {
        if (condition.error().code == ErrorCode::kInvalidArgument) {
            return Fail(stale(std::move(condition.error())));
        }
        return Fail(condition.error());
    }
    return condition;
}

}  // namespace overture::service
