// TypologyService: typologies as rows of `typologies` with their rules as checked JSON.
#include "service/typologies.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <set>

#include "common/strings.hpp"
#include "query/parser.hpp"
#include "query/printer.hpp"
#include "query/typecheck.hpp"
#include "service/queries.hpp"

namespace overture::service {

namespace json = boost::json;
using storage::AsInt;
using storage::AsString;
using storage::Transaction;
using storage::Value;

namespace {

constexpr std::size_t kMaxRules = 100;
constexpr std::size_t kMaxExpressionLength = 10000;

bool ValidName(std::string_view name) {
    return !name.empty() && name.size() <= 64 &&
           name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") ==
               std::string_view::npos &&
           name[0] != '_' && name[0] != '-';
}

Error BadName(std::string field) {
    return Error::InvalidField(
        field, fmt::format("{} must be 1 to 64 characters: lower-case letters, digits, '_' and "
                           "'-', starting with a letter or digit",
                           field));
}

Result<std::string> CheckLabel(std::string_view field, std::string_view label) {
    auto trimmed = std::string(Trim(label));
    if (trimmed.size() > 200 || !IsValidUtf8(trimmed)) {
        return Fail(Error::InvalidField(std::string(field),
                                        fmt::format("{} must be UTF-8 text of at most 200 "
                                                    "characters",
                                                    field)));
    }
    return trimmed;
}

Status OnlyKeys(const json::object& o, std::string_view prefix,
                std::initializer_list<std::string_view> keys) {
    for (const auto& kv : o) {
        bool known = false;
        for (auto k : keys) known = known || k == kv.key();
        if (!known) {
            auto field = fmt::format("{}.{}", prefix, std::string_view(kv.key()));
            return Fail(
                Error::InvalidField(field, fmt::format("unknown field \"{}\"; the fields are: {}",
                                                       field, fmt::join(keys, ", "))));
        }
    }
    return {};
}

// A string member, or `fallback` when absent or null.
Result<std::string> StringAt(const json::object& o, std::string_view key, std::string_view field,
                             std::string_view fallback) {
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return std::string(fallback);
    if (!v->is_string()) {
        return Fail(
            Error::InvalidField(std::string(field), fmt::format("{} must be a string", field)));
    }
    return std::string(v->get_string());
}

Result<std::int64_t> IntAt(const json::object& o, std::string_view key, std::string_view field,
                           std::int64_t fallback, std::int64_t min, std::int64_t max) {
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return fallback;
    if (!v->is_int64() && !v->is_uint64()) {
        return Fail(Error::InvalidField(std::string(field),
                                        fmt::format("{} must be a whole number", field)));
    }
    const auto n =
        v->is_int64()
            ? v->get_int64()
            : static_cast<std::int64_t>(std::min<std::uint64_t>(v->get_uint64(), INT64_MAX));
    if (n < min || n > max) {
        return Fail(Error::InvalidField(
            std::string(field), fmt::format("{} must be between {} and {}", field, min, max)));
    }
    return n;
}

Result<bool> BoolAt(const json::object& o, std::string_view key, std::string_view field) {
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return false;
    if (!v->is_bool()) {
        return Fail(Error::InvalidField(std::string(field),
                                        fmt::format("{} must be true or false", field)));
    }
    return v->get_bool();
}

Result<const json::array*> ArrayAt(const json::object& o, std::string_view key,
                                   std::string_view field) {
    static const json::array kEmpty;
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return &kEmpty;
    if (!v->is_array()) {
        return Fail(
            Error::InvalidField(std::string(field), fmt::format("{} must be an array", field)));
    }
    if (v->get_array().size() > kMaxRules) {
        return Fail(Error::InvalidField(
            std::string(field), fmt::format("{} may hold at most {} rules", field, kMaxRules)));
    }
    return &v->get_array();
}

Typology FromRow(const std::vector<Value>& r) {
    Typology t;
    t.id = TypologyId(AsInt(r[0]));
    t.name = AsString(r[1]);
    t.label = AsString(r[2]);
    boost::system::error_code ec;
    auto rules = json::parse(AsString(r[3]), ec);
    if (!ec && rules.is_object()) t.rules = std::move(rules.get_object());
    // Rows written before a field existed (the migration's default) show its default.
    for (std::string_view key : {"filters", "fatigue"}) {
        if (!t.rules.contains(key)) t.rules[key] = json::array();
    }
    for (std::string_view key : {"requireProof", "requireDkim"}) {
        if (!t.rules.contains(key)) t.rules[key] = false;
    }
    t.created_at = FromUnixMillis(AsInt(r[4]));
    t.created_by = AsString(r[5]);
    t.modified_at = FromUnixMillis(AsInt(r[6]));
    t.modified_by = AsString(r[7]);
    return t;
}

Error NoSuchTypology(TypologyId id) {
    return Error::NotFound(fmt::format("there is no typology with id {}", id.value()));
}

Result<Typology> Load(Transaction& tx, TypologyId id) {
    auto rows = tx.Query(q::kTypologyGet, {id.value()});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(NoSuchTypology(id));
    return FromRow(rows->rows[0]);
}

}  // namespace

Result<json::object> TypologyService::CheckRules(const json::object& rules) const {
    if (auto st = OnlyKeys(rules, "rules", {"filters", "fatigue", "requireProof", "requireDkim"});
        !st) {
        return Fail(st.error());
    }
    json::object out;
    std::set<std::string> names;
    auto item_name = [&](const json::object& item, const std::string& prefix,
                         std::string_view kind) -> Result<std::string> {
        auto name = StringAt(item, "name", prefix + ".name", "");
        if (!name) return Fail(name.error());
        if (!ValidName(*name)) return Fail(BadName(prefix + ".name"));
        if (!names.insert(fmt::format("{}:{}", kind, *name)).second) {
            return Fail(Error::InvalidField(
                prefix + ".name", fmt::format("two {} rules are named '{}'", kind, *name)));
        }
        return name;
    };

    auto filters = ArrayAt(rules, "filters", "rules.filters");
    if (!filters) return Fail(filters.error());
    json::array filters_out;
    auto model = schema_.Current();
    for (std::size_t i = 0; i < (*filters)->size(); ++i) {
        const auto prefix = fmt::format("rules.filters[{}]", i);
        const json::value& v = (**filters)[i];
        if (!v.is_object()) return Fail(Error::InvalidField(prefix, prefix + " must be an object"));
        const auto& item = v.get_object();
        if (auto st = OnlyKeys(item, prefix, {"name", "label", "expression"}); !st) {
            return Fail(st.error());
        }
        auto name = item_name(item, prefix, "filter");
        if (!name) return Fail(name.error());
        auto label = StringAt(item, "label", prefix + ".label", *name);
        if (!label) return Fail(label.error());
        auto checked_label = CheckLabel(prefix + ".label", *label);
        if (!checked_label) return Fail(checked_label.error());
        auto text = StringAt(item, "expression", prefix + ".expression", "");
        if (!text) return Fail(text.error());
        const auto field = prefix + ".expression";
        if (Trim(*text).empty()) {
            return Fail(Error::InvalidField(field, field + " is required: the profiles it "
                                                           "selects are excluded"));
        }
        if (text->size() > kMaxExpressionLength) {
            return Fail(Error::InvalidField(field, fmt::format("{} must be at most {} characters",
                                                               field, kMaxExpressionLength)));
        }
        auto expr = query::Parse(*text);
        if (!expr) return Fail(std::move(expr.error()).With("field", field));
        auto checked = query::Check(*expr, model, "profile", *text);
        if (!checked) {
            Error e = std::move(checked.error());
            e.details["field"] = field;
            return Fail(std::move(e));
        }
        filters_out.push_back(
            json::object{{"name", *name},
                         {"label", checked_label->empty() ? *name : *checked_label},
                         {"expression", query::Print(*expr)}});
    }
    out["filters"] = std::move(filters_out);

    auto fatigue = ArrayAt(rules, "fatigue", "rules.fatigue");
    if (!fatigue) return Fail(fatigue.error());
    json::array fatigue_out;
    for (std::size_t i = 0; i < (*fatigue)->size(); ++i) {
        const auto prefix = fmt::format("rules.fatigue[{}]", i);
        const json::value& v = (**fatigue)[i];
        if (!v.is_object()) return Fail(Error::InvalidField(prefix, prefix + " must be an object"));
        const auto& item = v.get_object();
        if (auto st = OnlyKeys(item, prefix, {"name", "label", "max", "windowHours", "channel"});
            !st) {
            return Fail(st.error());
        }
        auto name = item_name(item, prefix, "fatigue");
        if (!name) return Fail(name.error());
        auto label = StringAt(item, "label", prefix + ".label", *name);
        if (!label) return Fail(label.error());
        auto checked_label = CheckLabel(prefix + ".label", *label);
        if (!checked_label) return Fail(checked_label.error());
        if (!item.contains("max")) {
            return Fail(Error::InvalidField(prefix + ".max", prefix + ".max is required"));
        }
        auto max = IntAt(item, "max", prefix + ".max", 1, 1, 1000);
        if (!max) return Fail(max.error());
        if (!item.contains("windowHours")) {
            return Fail(
                Error::InvalidField(prefix + ".windowHours", prefix + ".windowHours is required"));
        }
        auto window = IntAt(item, "windowHours", prefix + ".windowHours", 24, 1, 8760);
        if (!window) return Fail(window.error());
        auto channel = StringAt(item, "channel", prefix + ".channel", "email");
        if (!channel) return Fail(channel.error());
        if (*channel != "email" && *channel != "any") {
            return Fail(Error::InvalidField(prefix + ".channel",
                                            prefix + ".channel must be \"email\" or \"any\""));
        }
        fatigue_out.push_back(
            json::object{{"name", *name},
                         {"label", checked_label->empty() ? *name : *checked_label},
                         {"max", *max},
                         {"windowHours", *window},
                         {"channel", *channel}});
    }
    out["fatigue"] = std::move(fatigue_out);

    auto proof = BoolAt(rules, "requireProof", "rules.requireProof");
    if (!proof) return Fail(proof.error());
    out["requireProof"] = *proof;
    auto dkim = BoolAt(rules, "requireDkim", "rules.requireDkim");
    if (!dkim) return Fail(dkim.error());
    out["requireDkim"] = *dkim;
    return out;
}

Result<Typology> TypologyService::Create(const Actor& actor, const NewTypology& in) const {
    if (auto st = Require(actor, Permission::kManageChannels); !st) return Fail(st.error());
    if (!ValidName(in.name)) return Fail(BadName("name"));
    auto label = CheckLabel("label", in.label.empty() ? in.name : in.label);
    if (!label) return Fail(label.error());
    if (label->empty()) *label = in.name;
    auto rules = CheckRules(in.rules);
    if (!rules) return Fail(rules.error());
    const auto now = ToUnixMillis(clock_.Now());
    return storage::WithWrite(db_, [&](Transaction& tx) -> Result<Typology> {
        auto existing = tx.Query(q::kTypologyGetByName, {in.name});
        if (!existing) return Fail(existing.error());
        if (!existing->empty()) {
            return Fail(Error::AlreadyExists(fmt::format("a typology named '{}' exists", in.name))
                            .With("field", "name"));
        }
        auto rows = tx.Query(q::kTypologyInsert,
                             {in.name, *label, json::serialize(*rules), now, actor.username});
        if (!rows) return Fail(rows.error());
        TypologyId id(AsInt(rows->rows.at(0).at(0)));
        if (auto st =
                audit_.Record(tx, actor, "typology.create", "typology", std::to_string(id.value()),
                              {{"name", in.name}, {"rules", json::serialize(*rules)}});
            !st) {
            return Fail(st.error());
        }
        return Load(tx, id);
    });
}

Result<Page<Typology>> TypologyService::List(const Actor& actor, const PageRequest& page) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    if (auto st = CheckLimit(page.limit); !st) return Fail(st.error());
    auto after = DecodeCursor(page.cursor, 0);
    if (!after) return Fail(after.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<Page<Typology>> {
        auto rows = tx.Query(q::kTypologyList, {*after, std::int64_t{page.limit} + 1});
        if (!rows) return Fail(rows.error());
        Page<Typology> out;
        for (const auto& row : rows->rows) {
            if (out.items.size() == static_cast<std::size_t>(page.limit)) {
                out.next = EncodeCursor(out.items.back().id.value());
                break;
            }
            out.items.push_back(FromRow(row));
        }
        return out;
    });
}

Result<Typology> TypologyService::Get(const Actor& actor, TypologyId id) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    return storage::WithRead(db_, [&](Transaction& tx) { return Load(tx, id); });
}

Result<Typology> TypologyService::Update(const Actor& actor, TypologyId id,
                                         const TypologyPatch& patch) const {
    if (auto st = Require(actor, Permission::kManageChannels); !st) return Fail(st.error());
    std::optional<std::string> label;
    if (patch.label) {
        auto checked = CheckLabel("label", *patch.label);
        if (!checked) return Fail(checked.error());
        if (checked->empty()) return Fail(Error::InvalidField("label", "label is required"));
        label = std::move(*checked);
    }
    std::optional<json::object> rules;
    if (patch.rules) {
        auto checked = CheckRules(*patch.rules);
        if (!checked) return Fail(checked.error());
        rules = std::move(*checked);
    }
    const auto now = ToUnixMillis(clock_.Now());
    return storage::WithWrite(db_, [&](Transaction& tx) -> Result<Typology> {
        auto current = Load(tx, id);
        if (!current) return current;
        auto n = tx.Exec(q::kTypologyUpdate,
                         {id.value(), label.value_or(current->label),
                          json::serialize(rules.value_or(current->rules)), now, actor.username});
        if (!n) return Fail(n.error());
        AuditDetails details;
        if (label) details.emplace_back("label", *label);
        if (rules) details.emplace_back("rules", json::serialize(*rules));
        if (auto st = audit_.Record(tx, actor, "typology.update", "typology",
                                    std::to_string(id.value()), details);
            !st) {
            return Fail(st.error());
        }
        return Load(tx, id);
    });
}

Status TypologyService::Delete(const Actor& actor, TypologyId id) const {
    if (auto st = Require(actor, Permission::kManageChannels); !st) return Fail(st.error());
    return storage::WithWrite(db_, [&](Transaction& tx) -> Status {
        auto current = Load(tx, id);
        if (!current) return Fail(current.error());
        if (current->name == kDefaultTypologyName) {
            return Fail(Error::FailedPrecondition(
                "the default typology cannot be deleted: deliveries without a typology use it"));
        }
        if (auto n = tx.Exec(q::kTypologyDelete, {id.value()}); !n) return Fail(n.error());
        return audit_.Record(tx, actor, "typology.delete", "typology", std::to_string(id.value()),
                             {{"name", current->name}});
    });
}

}  // namespace overture::service
