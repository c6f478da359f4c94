#include "schema/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>

namespace overture::schema {

namespace {

constexpr std::array<std::pair<FieldType, std::string_view>, 8> kTypeNames = {{
    {FieldType::kString, "string"},
    {FieldType::kText, "text"},
    {FieldType::kInteger, "integer"},
    {FieldType::kFloat, "float"},
    {FieldType::kBoolean, "boolean"},
    {FieldType::kDate, "date"},
    {FieldType::kDateTime, "datetime"},
    {FieldType::kEnum, "enum"},
}};

// Names every resource has, or that the API uses for its own purposes.
const std::set<std::string, std::less<>>& Reserved() {
    static const std::set<std::string, std::less<>> kReserved = {
        "id", "createdAt", "modifiedAt", "limit", "cursor", "order", "filter", "q", "count"};
    return kReserved;
}

bool IsName(std::string_view name) {
    if (name.empty() || name.size() > 40 || name[0] < 'a' || name[0] > 'z') return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    });
}

Error Invalid(std::string message, std::string_view where) {
    return Error::InvalidArgument(std::move(message)).With("path", std::string(where));
}

Status CheckField(const Resource& r, const Field& f) {
    auto where = fmt::format("{}.{}", r.name, f.name);
    if (!IsName(f.name)) {
        return Fail(Invalid(fmt::format("field name '{}' of {} must start with a lower-case "
                                        "letter and have only letters and digits (40 at most)",
                                        f.name, r.name),
                            where));
    }
    if (f.type == FieldType::kString && (f.length < 1 || f.length > 4000)) {
        return Fail(Invalid(fmt::format("string field {} needs a length between 1 and 4000", where),
                            where));
    }
    if (f.type == FieldType::kEnum) {
        if (f.values.empty()) {
            return Fail(
                Invalid(fmt::format("enumeration {} needs at least one value", where), where));
        }
        std::set<std::string_view> seen;
        for (const auto& v : f.values) {
            if (v.value.empty() || v.value.size() > 100) {
                return Fail(Invalid(
                    fmt::format("enumeration {} has an empty or over-long value", where), where));
            }
            if (!seen.insert(v.value).second) {
                return Fail(
                    Invalid(fmt::format("enumeration {} lists '{}' twice", where, v.value), where));
            }
        }
    }
    return {};
}

}  // namespace

std::string_view FieldTypeName(FieldType t) {
    for (const auto& [type, name] : kTypeNames) {
        if (type == t) return name;
    }
    return "string";
}

std::optional<FieldType> ParseFieldType(std::string_view name) {
    for (const auto& [type, n] : kTypeNames) {
        if (n == name) return type;
    }
    return std::nullopt;
}

std::string_view CardinalityName(Cardinality c) {
    return c == Cardinality::kOne ? "one" : "zeroOrOne";
}

std::optional<Cardinality> ParseCardinality(std::string_view name) {
    if (name == "one") return Cardinality::kOne;
    if (name == "zeroOrOne") return Cardinality::kZeroOrOne;
    return std::nullopt;
}

const EnumValue* Field::FindValue(std::string_view value) const {
    for (const auto& v : values) {
        if (v.value == value) return &v;
    }
    return nullptr;
}

const Field* Resource::FindField(std::string_view field) const {
    for (const auto& f : fields) {
        if (f.name == field) return &f;
    }
    return nullptr;
}

const Link* Resource::FindLink(std::string_view link) const {
    for (const auto& l : links) {
        if (l.name == link) return &l;
    }
    return nullptr;
}

std::vector<const Field*> Resource::SearchFields() const {
    std::vector<const Field*> out;
    for (const auto& f : fields) {
        if ((f.type == FieldType::kString || f.type == FieldType::kText) && !f.read_only) {
            out.push_back(&f);
        }
    }
    return out;
}

const Resource* Model::Find(std::string_view name) const {
    for (const auto& r : resources_) {
        if (r.name == name) return &r;
    }
    return nullptr;
}

std::vector<ReverseLink> Model::ReverseLinks(std::string_view resource) const {
    std::vector<ReverseLink> out;
    for (const auto& r : resources_) {
        for (const auto& l : r.links) {
            if (l.target == resource && !l.reverse_name.empty()) {
                out.push_back(ReverseLink{l.reverse_name, &r, &l});
            }
        }
    }
    return out;
}

std::string SnakeCase(std::string_view camel) {
    std::string out;
    for (char c : camel) {
        if (c >= 'A' && c <= 'Z') {
            out.push_back('_');
            out.push_back(static_cast<char>(c - 'A' + 'a'));
        } else {
            out.push_back(c);
        }
    }
    return out;
}

Status Validate(const Model& model) {
    std::set<std::string_view> resource_names;
    for (const auto& r : model.resources()) {
        if (!IsName(r.name)) {
            return Fail(Invalid(fmt::format("resource name '{}' must start with a lower-case "
                                            "letter and have only letters and digits",
                                            r.name),
                                r.name));
        }
        if (!resource_names.insert(r.name).second) {
            return Fail(Invalid(fmt::format("resource {} is declared twice", r.name), r.name));
        }
        std::set<std::string_view> names;
        for (const auto& f : r.fields) {
            if (auto st = CheckField(r, f); !st) return st;
            if (!names.insert(f.name).second) {
                return Fail(
                    Invalid(fmt::format("{} has two fields or links named {}", r.name, f.name),
                            r.name + "." + f.name));
            }
        }
        for (const auto& l : r.links) {
            auto where = fmt::format("{}.{}", r.name, l.name);
            if (!IsName(l.name) || Reserved().contains(l.name)) {
                return Fail(Invalid(fmt::format("link name '{}' is not allowed", where), where));
            }
            if (!names.insert(l.name).second) {
                return Fail(Invalid(
                    fmt::format("{} has two fields or links named {}", r.name, l.name), where));
            }
        }
        std::set<std::string_view> index_names;
        for (const auto& ix : r.indexes) {
            if (ix.fields.empty()) {
                return Fail(
                    Invalid(fmt::format("index {} of {} has no fields", ix.name, r.name), r.name));
            }
            for (const auto& name : ix.fields) {
                if (!r.FindField(name) && !r.FindLink(name)) {
                    return Fail(Invalid(
                        fmt::format("index {} of {} names unknown field {}", ix.name, r.name, name),
                        r.name + "." + name));
                }
            }
            if (!index_names.insert(ix.name).second) {
                return Fail(
                    Invalid(fmt::format("{} has two indexes named {}", r.name, ix.name), r.name));
            }
        }
    }
    for (const auto& r : model.resources()) {
        for (const auto& l : r.links) {
            auto where = fmt::format("{}.{}", r.name, l.name);
            const Resource* target = model.Find(l.target);
            if (!target) {
                return Fail(
                    Invalid(fmt::format("link {} points to unknown resource '{}'", where, l.target),
                            where));
            }
            if (!l.reverse_name.empty()) {
                if (!IsName(l.reverse_name)) {
                    return Fail(Invalid(fmt::format("reverse name '{}' of {} is not allowed",
                                                    l.reverse_name, where),
                                        where));
                }
                if (target->FindField(l.reverse_name) || target->FindLink(l.reverse_name)) {
                    return Fail(Invalid(fmt::format("reverse name {} of {} is already a field "
                                                    "or link of {}",
                                                    l.reverse_name, where, target->name),
                                        where));
                }
            }
        }
        for (const auto& rl1 : model.ReverseLinks(r.name)) {
            int same = 0;
            for (const auto& rl2 : model.ReverseLinks(r.name)) same += rl1.name == rl2.name;
            if (same > 1) {
                return Fail(
                    Invalid(fmt::format("{} has two reverse links named {}", r.name, rl1.name),
                            r.name + "." + rl1.name));
            }
        }
    }
    return {};
}

namespace {

// Gives a custom field its physical name and checks it against the built-ins.
Result<Field> CustomField(const Resource& builtin_or_custom, Field f) {
    f.builtin = false;
    f.read_only = false;
    f.normalizer = Normalizer::kNone;
    if (Reserved().contains(f.name)) {
        return Fail(Invalid(fmt::format("'{}' is a reserved name", f.name),
                            builtin_or_custom.name + "." + f.name));
    }
    f.column = "x_" + SnakeCase(f.name);
    return f;
}

Result<Link> CustomLink(Link l) {
    l.builtin = false;
    l.column = "x_" + SnakeCase(l.name) + "_id";
    return l;
}

Status AddCustomItems(Resource& into, const Resource& from) {
    for (const auto& f : from.fields) {
        if (f.builtin || Reserved().contains(f.name)) continue;
        if (into.builtin && into.FindField(f.name)) {
            const Field* existing = into.FindField(f.name);
            if (existing->builtin) {
                return Fail(Invalid(fmt::format("{}.{} is a built-in field", into.name, f.name),
                                    into.name + "." + f.name));
            }
        }
        auto field = CustomField(into, f);
        if (!field) return Fail(field.error());
        into.fields.push_back(std::move(*field));
    }
    for (const auto& l : from.links) {
        if (l.builtin) continue;
        if (const Link* existing = into.FindLink(l.name); existing && existing->builtin) {
            return Fail(Invalid(fmt::format("{}.{} is a built-in link", into.name, l.name),
                                into.name + "." + l.name));
        }
        auto link = CustomLink(l);
        if (!link) return Fail(link.error());
        into.links.push_back(std::move(*link));
    }
    for (const auto& ix : from.indexes) {
        if (ix.builtin) continue;
        Index index = ix;
        index.builtin = false;
        std::string suffix;
        for (const auto& f : ix.fields) suffix += "_" + SnakeCase(f);
        index.name = fmt::format("x_{}{}_{}", into.table, suffix, ix.unique ? "key" : "idx");
        if (index.name.size() > 63) index.name.resize(63);  // PostgreSQL's identifier limit
        into.indexes.push_back(std::move(index));
    }
    return {};
}

}  // namespace

Result<Model> Merge(const Model& custom) {
    std::vector<Resource> out = BuiltinModel().resources();
    for (const auto& r : custom.resources()) {
        auto it = std::find_if(out.begin(), out.end(),
                               [&](const Resource& b) { return b.name == r.name; });
        if (it != out.end()) {
            if (auto st = AddCustomItems(*it, r); !st) return Fail(st.error());
            continue;
        }
        Resource res;
        res.name = r.name;
        res.table = "x_" + SnakeCase(r.name);
        res.label = r.label.empty() ? r.name : r.label;
        res.plural_label = r.plural_label.empty() ? res.label : r.plural_label;
        res.builtin = false;
        res.fields = BuiltinModel().resources().front().fields;  // id, createdAt, modifiedAt
        res.fields.resize(3);
        if (auto st = AddCustomItems(res, r); !st) return Fail(st.error());
        out.push_back(std::move(res));
    }
    Model model(std::move(out));
    if (auto st = Validate(model); !st) return Fail(st.error());
    return model;
}

}  // namespace overture::schema
