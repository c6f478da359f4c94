#include "schema/model_json.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

namespace overture::schema {

namespace json = boost::json;

namespace {

json::object FieldJson(const Field& f) {
    json::object o;
    o["name"] = f.name;
    o["type"] = FieldTypeName(f.type);
    if (f.type == FieldType::kString) o["length"] = f.length;
    if (f.type == FieldType::kEnum) {
        json::array values;
        for (const auto& v : f.values) values.push_back({{"value", v.value}, {"label", v.label}});
        o["values"] = std::move(values);
    }
    o["label"] = f.label;
    o["description"] = f.description;
    o["required"] = f.required;
    o["readOnly"] = f.read_only;
    o["builtin"] = f.builtin;
    o["column"] = f.column;
    return o;
}

json::object LinkJson(const Link& l) {
    return {{"name", l.name},
            {"target", l.target},
            {"cardinality", CardinalityName(l.cardinality)},
            {"reverseName", l.reverse_name},
            {"label", l.label},
            {"builtin", l.builtin},
            {"column", l.column}};
}

json::object IndexJson(const Index& ix) {
    json::array fields;
    for (const auto& f : ix.fields) fields.push_back(json::string(f));
    return {{"name", ix.name},
            {"fields", std::move(fields)},
            {"unique", ix.unique},
            {"builtin", ix.builtin}};
}

// A small reader that names the JSON path of every error.
class Reader {
  public:
    Reader(const json::value& v, std::string path) : v_(v), path_(std::move(path)) {}

    Error Bad(std::string what) const {
        return Error::InvalidArgument(fmt::format("{}: {}", path_, what)).With("path", path_);
    }

    Result<const json::object*> Object() const {
        if (!v_.is_object()) return Fail(Bad("must be an object"));
        return &v_.as_object();
    }

    Status OnlyKeys(std::initializer_list<std::string_view> allowed) const {
        auto obj = Object();
        if (!obj) return Fail(obj.error());
        for (const auto& kv : **obj) {
            if (std::find(allowed.begin(), allowed.end(), kv.key()) == allowed.end()) {
                return Fail(
                    Reader(kv.value(), path_ + "." + std::string(kv.key())).Bad("unknown key"));
            }
        }
        return {};
    }

    Reader At(std::string_view key) const {
        static const json::value kNull;
        const json::value* child = &kNull;
        if (v_.is_object()) {
            if (auto p = v_.as_object().if_contains(key)) child = p;
        }
        return Reader(*child, path_ + "." + std::string(key));
    }

    bool Missing() const { return v_.is_null(); }

    Result<std::string> String(bool required, std::string fallback = {}) const {
        if (v_.is_null()) {
            if (required) return Fail(Bad("is required"));
            return fallback;
        }
        if (!v_.is_string()) return Fail(Bad("must be a string"));
        return std::string(v_.as_string());
    }

    Result<bool> Bool(bool fallback) const {
        if (v_.is_null()) return fallback;
        if (!v_.is_bool()) return Fail(Bad("must be true or false"));
        return v_.as_bool();
    }

    Result<std::int64_t> Int(std::int64_t fallback) const {
        if (v_.is_null()) return fallback;
        if (!v_.is_int64()) return Fail(Bad("must be an integer"));
        return v_.as_int64();
    }

    template <typename Fn>
    Status Each(Fn fn) const {
        if (v_.is_null()) return {};
        if (!v_.is_array()) return Fail(Bad("must be an array"));
        const auto& arr = v_.as_array();
        for (std::size_t i = 0; i < arr.size(); ++i) {
            if (auto st = fn(Reader(arr[i], fmt::format("{}[{}]", path_, i))); !st) return st;
        }
        return {};
    }

  private:
    const json::value& v_;
    std::string path_;
};

#define OV_TRY(var, expr)                       \
    auto var##_r = (expr);                      \
    if (!var##_r) return Fail(var##_r.error()); \
    auto var = std::move(*var##_r)

Status ReadField(const Reader& in, std::vector<Field>& out) {
    if (auto st = in.OnlyKeys({"name", "type", "length", "values", "label", "description",
                               "required", "readOnly", "builtin", "column"});
        !st) {
        return st;
    }
    OV_TRY(builtin, in.At("builtin").Bool(false));
    if (builtin) return {};
    Field f;
    OV_TRY(name, in.At("name").String(true));
    OV_TRY(type_name, in.At("type").String(true));
    auto type = ParseFieldType(type_name);
    if (!type) {
        return Fail(in.At("type").Bad(fmt::format(
            "'{}' is not a type: string, text, integer, float, boolean, date, datetime, enum",
            type_name)));
    }
    OV_TRY(length, in.At("length").Int(0));
    OV_TRY(label, in.At("label").String(false, name));
    OV_TRY(description, in.At("description").String(false));
    OV_TRY(required, in.At("required").Bool(false));
    f.name = std::move(name);
    f.type = *type;
    f.length = static_cast<int>(std::clamp<std::int64_t>(length, -1, 1'000'000));
    f.label = std::move(label);
    f.description = std::move(description);
    f.required = required;
    if (auto st = in.At("values").Each([&](const Reader& v) -> Status {
            if (auto k = v.OnlyKeys({"value", "label"}); !k) return k;
            OV_TRY(value, v.At("value").String(true));
            OV_TRY(value_label, v.At("label").String(false, value));
            f.values.push_back(EnumValue{std::move(value), std::move(value_label)});
            return {};
        });
        !st) {
        return st;
    }
    out.push_back(std::move(f));
    return {};
}

Status ReadLink(const Reader& in, std::vector<Link>& out) {
    if (auto st = in.OnlyKeys(
            {"name", "target", "cardinality", "reverseName", "label", "builtin", "column"});
        !st) {
        return st;
    }
    OV_TRY(builtin, in.At("builtin").Bool(false));
    if (builtin) return {};
    Link l;
    OV_TRY(name, in.At("name").String(true));
    OV_TRY(target, in.At("target").String(true));
    OV_TRY(cardinality_name, in.At("cardinality").String(false, "zeroOrOne"));
    auto cardinality = ParseCardinality(cardinality_name);
    if (!cardinality) {
        return Fail(in.At("cardinality").Bad("must be \"one\" or \"zeroOrOne\""));
    }
    OV_TRY(reverse, in.At("reverseName").String(false));
    OV_TRY(label, in.At("label").String(false, name));
    l.name = std::move(name);
    l.target = std::move(target);
    l.cardinality = *cardinality;
    l.reverse_name = std::move(reverse);
    l.label = std::move(label);
    out.push_back(std::move(l));
    return {};
}

Status ReadIndex(const Reader& in, std::vector<Index>& out) {
    if (auto st = in.OnlyKeys({"name", "fields", "unique", "builtin"}); !st) return st;
    OV_TRY(builtin, in.At("builtin").Bool(false));
    if (builtin) return {};
    Index ix;
    OV_TRY(unique, in.At("unique").Bool(false));
    ix.unique = unique;
    if (auto st = in.At("fields").Each([&](const Reader& f) -> Status {
            OV_TRY(name, f.String(true));
            ix.fields.push_back(std::move(name));
            return {};
        });
        !st) {
        return st;
    }
    if (ix.fields.empty()) return Fail(in.At("fields").Bad("needs at least one field"));
    out.push_back(std::move(ix));
    return {};
}

}  // namespace

json::object ResourceToJson(const Model& model, const Resource& r) {
    json::object o;
    o["name"] = r.name;
    o["label"] = r.label;
    o["pluralLabel"] = r.plural_label;
    o["builtin"] = r.builtin;
    o["table"] = r.table;
    json::array fields, links, reverse, indexes;
    for (const auto& f : r.fields) fields.push_back(FieldJson(f));
    for (const auto& l : r.links) links.push_back(LinkJson(l));
    for (const auto& rl : model.ReverseLinks(r.name)) {
        reverse.push_back(
            {{"name", rl.name}, {"source", rl.source->name}, {"link", rl.link->name}});
    }
    for (const auto& ix : r.indexes) indexes.push_back(IndexJson(ix));
    o["fields"] = std::move(fields);
    o["links"] = std::move(links);
    o["reverseLinks"] = std::move(reverse);
    o["indexes"] = std::move(indexes);
    return o;
}

json::object ModelToJson(const Model& model) {
    json::array resources;
    for (const auto& r : model.resources()) resources.push_back(ResourceToJson(model, r));
    return {{"resources", std::move(resources)}};
}

Result<Model> CustomModelFromJson(const json::value& value) {
    Reader root(value, "$");
    if (auto st = root.OnlyKeys({"resources"}); !st) return Fail(st.error());
    std::vector<Resource> resources;
    auto st = root.At("resources").Each([&](const Reader& in) -> Status {
        if (auto k = in.OnlyKeys({"name", "label", "pluralLabel", "builtin", "table", "fields",
                                  "links", "reverseLinks", "indexes"});
            !k) {
            return k;
        }
        Resource r;
        OV_TRY(name, in.At("name").String(true));
        OV_TRY(label, in.At("label").String(false));
        OV_TRY(plural, in.At("pluralLabel").String(false));
        r.name = std::move(name);
        r.label = std::move(label);
        r.plural_label = std::move(plural);
        if (auto s = in.At("fields").Each([&](const Reader& f) { return ReadField(f, r.fields); });
            !s) {
            return s;
        }
        if (auto s = in.At("links").Each([&](const Reader& l) { return ReadLink(l, r.links); });
            !s) {
            return s;
        }
        if (auto s =
                in.At("indexes").Each([&](const Reader& ix) { return ReadIndex(ix, r.indexes); });
            !s) {
            return s;
        }
        resources.push_back(std::move(r));
        return {};
    });
    if (!st) return Fail(st.error());
    return Model(std::move(resources));
}

Model CustomPart(const Model& merged) {
    std::vector<Resource> out;
    for (const auto& r : merged.resources()) {
        Resource part;
        part.name = r.name;
        part.label = r.builtin ? "" : r.label;
        part.plural_label = r.builtin ? "" : r.plural_label;
        for (const auto& f : r.fields) {
            if (!f.builtin && f.name != "id" && f.name != "createdAt" && f.name != "modifiedAt") {
                part.fields.push_back(f);
            }
        }
        for (const auto& l : r.links) {
            if (!l.builtin) part.links.push_back(l);
        }
        for (const auto& ix : r.indexes) {
            if (!ix.builtin) part.indexes.push_back(ix);
        }
        bool empty = part.fields.empty() && part.links.empty() && part.indexes.empty();
        if (!r.builtin || !empty) out.push_back(std::move(part));
    }
    return Model(std::move(out));
}

}  // namespace overture::schema
