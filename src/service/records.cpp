#include "service/records.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "common/strings.hpp"
#include "query/normalize.hpp"
#include "query/parser.hpp"
#include "query/sql_emit.hpp"
#include "query/typecheck.hpp"
#include "storage/field_values.hpp"
#include "storage/sql_text.hpp"

namespace overture::service {

namespace json = boost::json;
using schema::Field;
using schema::Link;
using schema::Resource;
using storage::Params;
using storage::QuoteIdent;
using storage::TextToStored;
using storage::ToJson;
using storage::ToStored;
using storage::Transaction;
using storage::Value;

namespace {

// What a statement about one resource needs: the model snapshot and the resource in it.
struct Target {
    std::shared_ptr<const schema::Model> model;
    const Resource* resource = nullptr;
};

Result<Target> Find(const SchemaService& schema, std::string_view name) {
    Target t;
    t.model = schema.Current();
    t.resource = t.model->Find(name);
    if (!t.resource) {
        return Fail(Error::NotFound(fmt::format("there is no resource named '{}'", name)));
    }
    return t;
}

// SELECT list: every field, then every link column, then extras. Column order matters: rows
// are read back by position.
std::string SelectList(const Resource& r, storage::Dialect d) {
    std::string out;
    for (const auto& f : r.fields) {
        if (!out.empty()) out += ", ";
        out += storage::ReadExpr(f, d, "t");
    }
    for (const auto& l : r.links) out += ", t." + QuoteIdent(l.column);
    if (r.name == "service") {
        out += ", (SELECT count(*) FROM subscriptions s WHERE s.service_id = t.id)";
    }
    return out;
}

json::object RowToJson(const Resource& r, const std::vector<Value>& row) {
    json::object o;
    std::size_t i = 0;
    for (const auto& f : r.fields) o[f.name] = ToJson(f, row[i++]);
    for (const auto& l : r.links) {
        const Value& v = row[i++];
        o[l.name] = storage::IsNull(v) ? json::value(nullptr) : json::value(storage::AsInt(v));
    }
    if (r.name == "service") o["subscriberCount"] = storage::AsInt(row[i++]);
    return o;
}

const Field* FieldOrNull(const Resource& r, std::string_view name) { return r.FindField(name); }

// WHERE clause for search, equality filters and the filter expression.
Result<std::string> WhereClause(const Target& target, const ListQuery& q, Params& params,
                                const Clock& clock) {
    const Resource& r = *target.resource;
    std::string where;
    auto add = [&](const std::string& cond) {
        where += (where.empty() ? " WHERE " : " AND ") + cond;
    };
    if (!Trim(q.search).empty()) {
        auto pattern = params.Add(LikePattern(q.search));
        std::string any;
        for (const Field* f : r.SearchFields()) {
            if (!any.empty()) any += " OR ";
            any += storage::LikeExpr("t." + QuoteIdent(f->column), pattern);
        }
        if (!any.empty()) add("(" + any + ")");
    }
    for (const auto& [name, text] : q.equals) {
        if (const Field* f = FieldOrNull(r, name)) {
            auto v = TextToStored(*f, text, "");
            if (!v) return Fail(v.error());
            add("t." + QuoteIdent(f->column) + " = " +
                storage::WriteExpr(*f, params.dialect(), params.Add(std::move(*v))));
        } else if (const Link* l = r.FindLink(name)) {
            Field id_field;
            id_field.name = name;
            id_field.type = schema::FieldType::kInteger;
            auto v = TextToStored(id_field, text, "");
            if (!v) return Fail(v.error());
            add("t." + QuoteIdent(l->column) + " = " + params.Add(std::move(*v)));
        } else {
            return Fail(
                Error::InvalidArgument(
                    fmt::format("{} has no field or link named '{}' to filter on", r.name, name))
                    .With("field", name));
        }
    }
    if (q.audience_members != 0) {
        if (r.name != "profile") {
            return Fail(Error::InvalidArgument("audiences hold profiles only"));
        }
        add("t.id IN (SELECT m.profile_id FROM audience_members m WHERE m.audience_id = " +
            params.Add(q.audience_members) + ")");
    }
    if (!Trim(q.filter).empty()) {
        // The expression language: parsed, checked against the model, emitted with every value
        // bound (query/). Errors carry line and column within the filter text.
        auto tag = [](Error e) { return std::move(e).With("field", "filter"); };
        auto expr = query::Parse(q.filter);
        if (!expr) return Fail(tag(expr.error()));
        auto checked = query::Check(*expr, target.model, r.name, q.filter);
        if (!checked) return Fail(tag(checked.error()));
        auto sql =
            query::EmitSql(query::Normalize(*checked, clock), params.dialect(), params, clock);
        if (!sql) return Fail(tag(sql.error()));
        add("(" + sql->condition + ")");
    }
    return where;
}

// Converts an input object into column assignments. On create, `existing_country` and
// `existing_channel` are empty; on update they are the stored values, which phone numbers and
// quarantine addresses are read with.
struct Assignment {
    std::string column;
    const Field* field = nullptr;  // null for link columns
    Value value;
};

Result<std::vector<Assignment>> Assignments(const Resource& r, const json::object& in,
                                            std::string_view existing_country,
                                            std::string_view existing_channel, bool creating) {
    std::string country(existing_country);
    if (auto it = in.find("country"); it != in.end() && it->value().is_string()) {
        country = std::string(it->value().as_string());
    }
    std::string channel(existing_channel);
    if (auto it = in.find("channel"); it != in.end() && it->value().is_string()) {
        channel = std::string(it->value().as_string());
    }
    std::vector<Assignment> out;
    for (const auto& kv : in) {
        std::string_view key = kv.key();
        if (const Field* f = r.FindField(key)) {
            if (f->read_only) {
                return Fail(Error::InvalidArgument(
                                fmt::format("{} is set by the system and cannot be written", key))
                                .With("field", std::string(key)));
            }
            auto v = ToStored(*f, kv.value(),
                              f->normalizer == schema::Normalizer::kAddress ? channel : country);
            if (!v) return Fail(v.error());
            // Built-in flags (blockEmail, ...) are NOT NULL columns: false, not unknown.
            bool not_null = f->builtin && f->type == schema::FieldType::kBoolean;
            if ((f->required || not_null) && storage::IsNull(*v)) {
                return Fail(Error::InvalidArgument(fmt::format("{} is required", key))
                                .With("field", std::string(key)));
            }
            if (f->normalizer == schema::Normalizer::kEmail && r.FindField("emailDomain")) {
                std::string domain;
                if (!storage::IsNull(*v)) {
                    auto text = storage::AsString(*v);
                    domain = text.substr(text.rfind('@') + 1);
                }
                out.push_back({r.FindField("emailDomain")->column, r.FindField("emailDomain"),
                               domain.empty() ? Value() : Value(domain)});
            }
            out.push_back({f->column, f, std::move(*v)});
        } else if (const Link* l = r.FindLink(key)) {
            const auto& v = kv.value();
            if (v.is_null()) {
                if (l->cardinality == schema::Cardinality::kOne) {
                    return Fail(Error::InvalidArgument(fmt::format("{} is required", key))
                                    .With("field", std::string(key)));
                }
                out.push_back({l->column, nullptr, Value()});
            } else if (v.is_int64()) {
                out.push_back({l->column, nullptr, Value(v.as_int64())});
            } else {
                return Fail(
                    Error::InvalidArgument(fmt::format("{} must be the id of a {}", key, l->target))
                        .With("field", std::string(key)));
            }
        } else {
            return Fail(Error::InvalidArgument(
                            fmt::format("{} has no field or link named '{}'", r.name, key))
                            .With("field", std::string(key)));
        }
    }
    if (creating) {
        for (const auto& f : r.fields) {
            if (f.required && !in.contains(f.name)) {
                return Fail(Error::InvalidArgument(fmt::format("{} is required", f.name))
                                .With("field", f.name));
            }
        }
        for (const auto& l : r.links) {
            if (l.cardinality == schema::Cardinality::kOne && !in.contains(l.name)) {
                return Fail(Error::InvalidArgument(fmt::format("{} is required", l.name))
                                .With("field", l.name));
            }
        }
    }
    return out;
}

// Each linked id must exist: a clear 400 instead of a foreign-key failure.
Status CheckLinks(Transaction& tx, const schema::Model& model, const Resource& r,
                  const std::vector<Assignment>& assignments, storage::Dialect d) {
    for (const auto& a : assignments) {
        if (a.field || storage::IsNull(a.value)) continue;
        for (const auto& l : r.links) {
            if (l.column != a.column) continue;
            const Resource* target = model.Find(l.target);
            Params p(d);
            auto sql = fmt::format("SELECT 1 FROM {} WHERE id = {}", QuoteIdent(target->table),
                                   p.Add(a.value));
            auto rows = tx.QuerySql(sql, p.values());
            if (!rows) return Fail(rows.error());
            if (rows->empty()) {
                return Fail(
                    Error::InvalidArgument(fmt::format("{}: there is no {} with id {}", l.name,
                                                       l.target, storage::AsInt(a.value)))
                        .With("field", l.name));
            }
        }
    }
    return {};
}

Error Taken(const Resource& r) {
    return Error::AlreadyExists(fmt::format(
        "a {} with the same unique value already exists (see its unique keys in the data model)",
        r.name));
}

Result<json::object> Load(Transaction& tx, const Resource& r, std::int64_t id, storage::Dialect d) {
    Params p(d);
    auto sql = fmt::format("SELECT {} FROM {} t WHERE t.id = {}", SelectList(r, d),
                           QuoteIdent(r.table), p.Add(id));
    auto rows = tx.QuerySql(sql, p.values());
    if (!rows) return Fail(rows.error());
    if (rows->empty()) {
        return Fail(Error::NotFound(fmt::format("there is no {} with id {}", r.name, id)));
    }
    return RowToJson(r, rows->rows[0]);
}

}  // namespace

Result<Page<json::object>> RecordService::List(const Actor& actor, std::string_view resource,
                                               const ListQuery& q) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    if (auto st = CheckLimit(q.page.limit); !st) return Fail(st.error());
    auto target = Find(schema_, resource);
    if (!target) return Fail(target.error());
    const Resource& r = *target->resource;
    const auto d = db_.dialect();

    const Field* sort = nullptr;
    if (!q.sort.empty() && q.sort != "id") {
        sort = r.FindField(q.sort);
        if (!sort) {
            return Fail(Error::InvalidArgument(
                            fmt::format("{} has no field named '{}' to sort by", r.name, q.sort))
                            .With("field", "order"));
        }
    }
    Params params(d);
    auto where = WhereClause(*target, q, params, clock_);
    if (!where) return Fail(where.error());
    std::string sql =
        fmt::format("SELECT {} FROM {} t{}", SelectList(r, d), QuoteIdent(r.table), *where);
    const char* dir = q.descending ? "DESC" : "ASC";
    std::int64_t offset = 0;
    if (!sort) {
        // Keyset pagination on id.
        auto after = DecodeCursor(q.page.cursor, q.descending ? INT64_MAX : 0);
        if (!after) return Fail(after.error());
        sql += fmt::format("{} t.id {} {} ORDER BY t.id {}", where->empty() ? " WHERE" : " AND",
                           q.descending ? "<" : ">", params.Add(*after), dir);
    } else {
        // Sorted by a field: the cursor holds an offset. Nulls sort last in both dialects.
        auto off = DecodeCursor(q.page.cursor, 0);
        if (!off) return Fail(off.error());
        offset = *off;
        auto col = "t." + QuoteIdent(sort->column);
        sql += fmt::format(" ORDER BY ({} IS NULL), {} {}, t.id {}", col, col, dir, dir);
    }
    sql += fmt::format(" LIMIT {}", params.Add(std::int64_t{q.page.limit} + 1));
    if (sort) sql += fmt::format(" OFFSET {}", params.Add(offset));

    return storage::WithRead(db_, [&](Transaction& tx) -> Result<Page<json::object>> {
        auto rows = tx.QuerySql(sql, params.values());
        if (!rows) return Fail(rows.error());
        Page<json::object> page;
        for (const auto& row : rows->rows) {
            if (page.items.size() == static_cast<std::size_t>(q.page.limit)) {
                page.next = sort ? EncodeCursor(offset + q.page.limit)
                                 : EncodeCursor(page.items.back().at("id").as_int64());
                break;
            }
            page.items.push_back(RowToJson(r, row));
        }
        return page;
    });
}

Result<std::int64_t> RecordService::Count(const Actor& actor, std::string_view resource,
                                          const ListQuery& q) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    auto target = Find(schema_, resource);
    if (!target) return Fail(target.error());
    Params params(db_.dialect());
    auto where = WhereClause(*target, q, params, clock_);
    if (!where) return Fail(where.error());
    auto sql =
        fmt::format("SELECT count(*) FROM {} t{}", QuoteIdent(target->resource->table), *where);
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<std::int64_t> {
        auto rows = tx.QuerySql(sql, params.values());
        if (!rows) return Fail(rows.error());
        return storage::AsInt(rows->rows.at(0).at(0));
    });
}

Result<std::string> RecordService::Condition(std::string_view resource, const ListQuery& q,
                                             Params& params) const {
    auto target = Find(schema_, resource);
    if (!target) return Fail(target.error());
    auto where = WhereClause(*target, q, params, clock_);
    if (!where) return Fail(where.error());
    constexpr std::string_view kWhere = " WHERE ";
    if (where->empty()) return std::string("1 = 1");
    return where->substr(kWhere.size());
}

Result<json::object> RecordService::Get(const Actor& actor, std::string_view resource,
                                        std::int64_t id) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    auto target = Find(schema_, resource);
    if (!target) return Fail(target.error());
    return storage::WithRead(
        db_, [&](Transaction& tx) { return Load(tx, *target->resource, id, db_.dialect()); });
}

Result<json::object> RecordService::Create(const Actor& actor, std::string_view resource,
                                           const json::object& input) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    auto target = Find(schema_, resource);
    if (!target) return Fail(target.error());
    const Resource& r = *target->resource;
    auto assignments = Assignments(r, input, "", "", /*creating=*/true);
    if (!assignments) return Fail(assignments.error());
    const auto d = db_.dialect();
    auto now = FormatRfc3339(clock_.Now());

    Params params(d);
    std::string columns = "created_at, modified_at";
    const Field& created = *r.FindField("createdAt");
    std::string values = storage::WriteExpr(created, d, params.Add(now)) + ", " +
                         storage::WriteExpr(created, d, params.Add(now));
    auto add = [&](const std::string& column, const Field* f, Value v) {
        columns += ", " + QuoteIdent(column);
        auto ph = params.Add(std::move(v));
        values += ", " + (f ? storage::WriteExpr(*f, d, ph) : ph);
    };
    for (auto& a : *assignments) add(a.column, a.field, std::move(a.value));
    if (const Field* by = r.FindField("createdBy")) add(by->column, by, actor.username);
    if (const Field* by = r.FindField("modifiedBy")) add(by->column, by, actor.username);
    auto sql = fmt::format("INSERT INTO {} ({}) VALUES ({}) RETURNING id", QuoteIdent(r.table),
                           columns, values);

    return storage::WithWrite(db_, [&](Transaction& tx) -> Result<json::object> {
        if (auto st = CheckLinks(tx, *target->model, r, *assignments, d); !st) {
            return Fail(st.error());
        }
        auto rows = tx.QuerySql(sql, params.values());
        if (!rows) {
            if (rows.error().code == ErrorCode::kAlreadyExists) return Fail(Taken(r));
            return Fail(rows.error());
        }
        return Load(tx, r, storage::AsInt(rows->rows.at(0).at(0)), d);
    });
}

Result<json::object> RecordService::Update(const Actor& actor, std::string_view resource,
                                           std::int64_t id, const json::object& patch) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    auto target = Find(schema_, resource);
    if (!target) return Fail(target.error());
    const Resource& r = *target->resource;
    const auto d = db_.dialect();
    return storage::WithWrite(db_, [&](Transaction& tx) -> Result<json::object> {
        auto before = Load(tx, r, id, d);
        if (!before) return Fail(before.error());
        auto text_of = [&](std::string_view key) {
            auto it = before->find(key);
            return it != before->end() && it->value().is_string()
                       ? std::string(it->value().as_string())
                       : std::string();
        };
        std::string country = text_of("country");
        std::string channel = text_of("channel");
        auto assignments = Assignments(r, patch, country, channel, /*creating=*/false);
        if (!assignments) return Fail(assignments.error());
        if (auto st = CheckLinks(tx, *target->model, r, *assignments, d); !st) {
            return Fail(st.error());
        }
        Params params(d);
        const Field& modified = *r.FindField("modifiedAt");
        std::string set = "modified_at = " +
                          storage::WriteExpr(modified, d, params.Add(FormatRfc3339(clock_.Now())));
        auto add = [&](const std::string& column, const Field* f, Value v) {
            auto ph = params.Add(std::move(v));
            set += ", " + QuoteIdent(column) + " = " + (f ? storage::WriteExpr(*f, d, ph) : ph);
        };
        for (auto& a : *assignments) add(a.column, a.field, std::move(a.value));
        if (const Field* by = r.FindField("modifiedBy")) add(by->column, by, actor.username);
        auto sql =
            fmt::format("UPDATE {} SET {} WHERE id = {}", QuoteIdent(r.table), set, params.Add(id));
        if (auto rows = tx.QuerySql(sql, params.values()); !rows) {
            if (rows.error().code == ErrorCode::kAlreadyExists) return Fail(Taken(r));
            return Fail(rows.error());
        }
        return Load(tx, r, id, d);
    });
}

Status RecordService::Delete(const Actor& actor, std::string_view resource, std::int64_t id) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    auto target = Find(schema_, resource);
    if (!target) return Fail(target.error());
    const Resource& r = *target->resource;
    return storage::WithWrite(db_, [&](Transaction& tx) -> Status {
        Params params(db_.dialect());
        auto sql = fmt::format("DELETE FROM {} WHERE id = {} RETURNING id", QuoteIdent(r.table),
                               params.Add(id));
        auto rows = tx.QuerySql(sql, params.values());
        if (!rows) return Fail(rows.error());
        if (rows->empty()) {
            return Fail(Error::NotFound(fmt::format("there is no {} with id {}", r.name, id)));
        }
        return {};
    });
}

}  // namespace overture::service
