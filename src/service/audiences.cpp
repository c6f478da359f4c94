#include "service/audiences.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>
#include <limits>

#include "common/strings.hpp"
#include "importexport/csv_detect.hpp"
#include "importexport/csv_reader.hpp"
#include "query/json_codec.hpp"
#include "query/normalize.hpp"
#include "query/parser.hpp"
#include "query/printer.hpp"
#include "query/sql_emit.hpp"
#include "query/typecheck.hpp"
#include "service/queries.hpp"
#include "storage/field_values.hpp"
#include "storage/sql_text.hpp"

namespace overture::service {

namespace json = boost::json;
using storage::AsInt;
using storage::AsString;
using storage::IsNull;
using storage::Transaction;
using storage::Value;

namespace {

constexpr std::string_view kProfile = "profile";

// An expression read from text or its JSON form, checked against the model.
struct Compiled {
    query::Checked checked;
    std::string text;  // canonical
    json::value json;  // the canonical JSON form
};

Result<std::optional<Compiled>> Compile(const AudienceExpression& in,
                                        std::shared_ptr<const schema::Model> model,
                                        std::string_view resource) {
    if (in.empty()) return std::optional<Compiled>();
    if (in.text && in.json) {
        return Fail(Error::InvalidField(
            "expression",
            "give the expression either as \"expression\" (text) or as \"json\" (the "
            "JSON form), not both"));
    }
    std::string field = in.text ? "expression" : "json";
    auto tag = [&](Error e) { return std::move(e).With("field", field); };
    auto expr = in.text ? query::Parse(*in.text) : query::FromJson(*in.json);
    if (!expr) return Fail(tag(expr.error()));
    auto checked = query::Check(*expr, std::move(model), resource, in.text.value_or(""));
    if (!checked) return Fail(tag(checked.error()));
    Compiled out{std::move(*checked), query::Print(*expr), query::ToJson(*expr)};
    return std::optional<Compiled>(std::move(out));
}

Result<std::string> CheckLabel(std::string_view label) {
    auto trimmed = std::string(Trim(label));
    if (trimmed.empty()) return Fail(Error::InvalidField("label", "label is required"));
    if (storage::CodePoints(trimmed) > kMaxLabelLength) {
        return Fail(Error::InvalidField(
            "label", fmt::format("label must be at most {} characters", kMaxLabelLength)));
    }
    return trimmed;
}

Status CheckDescription(std::string_view description) {
    if (storage::CodePoints(description) > kMaxDescriptionLength) {
        return Fail(Error::InvalidField(
            "description",
            fmt::format("description must be at most {} characters", kMaxDescriptionLength)));
    }
    return {};
}

Value TimeOrNull(const std::optional<TimePoint>& t) {
    return t ? Value(ToUnixMillis(*t)) : Value();
}

Value TextOrNull(const std::optional<std::string>& s) { return s ? Value(*s) : Value(); }

// A row of audience-get / audience-list.
Audience FromRow(const std::vector<Value>& r, TimePoint now) {
    Audience a;
    a.id = AudienceId(AsInt(r[0]));
    a.label = AsString(r[1]);
    a.description = AsString(r[2]);
    a.kind = AsString(r[3]) == "list" ? AudienceKind::kList : AudienceKind::kQuery;
    a.resource = AsString(r[4]);
    if (!IsNull(r[5])) a.expression = AsString(r[5]);
    if (!IsNull(r[6])) {
        boost::system::error_code ec;
        auto v = json::parse(AsString(r[6]), ec);
        if (!ec) a.json = std::move(v);
    }
    if (!IsNull(r[7])) a.expires_at = FromUnixMillis(AsInt(r[7]));
    a.expired = a.expires_at && *a.expires_at <= now;
    a.created_at = FromUnixMillis(AsInt(r[8]));
    a.created_by = AsString(r[9]);
    a.modified_at = FromUnixMillis(AsInt(r[10]));
    a.modified_by = AsString(r[11]);
    if (!IsNull(r[12])) a.member_count = AsInt(r[12]);
    return a;
}

Error NoSuchAudience(AudienceId id) {
    return Error::NotFound(fmt::format("there is no audience with id {}", id.value()));
}

Result<Audience> Load(Transaction& tx, AudienceId id, TimePoint now) {
    auto rows = tx.Query(q::kAudienceGet, {id.value()});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(NoSuchAudience(id));
    return FromRow(rows->rows[0], now);
}

Error Expired(const Audience& a) {
    return Error::FailedPrecondition(
               fmt::format("the audience '{}' expired on {}; extend its expiry date to use it",
                           a.label, FormatRfc3339(*a.expires_at)))
        .With("expiresAt", FormatRfc3339(*a.expires_at));
}

Status RequireList(const Audience& a) {
    if (a.kind != AudienceKind::kList) {
        return Fail(Error::FailedPrecondition(
            fmt::format("the audience '{}' is a query audience: its profiles come from its "
                        "expression, so it has no members to change",
                        a.label)));
    }
    if (a.expired) return Fail(Expired(a));
    return {};
}

// ?expired= as the mode of audience-list and audience-count.
std::int64_t ExpiredMode(const std::optional<bool>& expired) {
    if (!expired) return 0;
    return *expired ? 2 : 1;
}

// The key column of a members file: "id", "email" or "externalId" for a header cell naming
// one (any case; external_id too), else empty.
std::string KeyName(std::string_view cell) {
    auto lower = ToLower(Trim(cell));
    if (lower == "id") return "id";
    if (lower == "email") return "email";
    if (lower == "externalid" || lower == "external_id") return "externalId";
    return {};
}

std::string GuessKey(std::string_view value) {
    auto v = Trim(value);
    if (v.find('@') != std::string_view::npos) return "email";
    if (!v.empty() && v.find_first_not_of("0123456789") == std::string_view::npos) return "id";
    return "externalId";
}

}  // namespace

std::string_view AudienceKindName(AudienceKind kind) {
    return kind == AudienceKind::kList ? "list" : "query";
}

Result<Audience> AudienceService::Create(const Actor& actor, const NewAudience& in) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    auto label = CheckLabel(in.label);
    if (!label) return Fail(label.error());
    if (auto st = CheckDescription(in.description); !st) return Fail(st.error());
    if (in.resource != kProfile) {
        return Fail(Error::InvalidField(
            "resource", fmt::format("audiences hold profiles only for now; resource "
                                    "must be \"profile\", not \"{}\"",
                                    in.resource)));
    }
    if (in.kind == AudienceKind::kQuery && in.expression.empty()) {
        return Fail(Error::InvalidField(
            "expression", "a query audience needs an expression (\"expression\" or \"json\")"));
    }
    auto compiled = Compile(in.expression, schema_.Current(), in.resource);
    if (!compiled) return Fail(compiled.error());
    const auto now = clock_.Now();
    const auto d = db_.dialect();
    std::optional<std::string> text, json_text;
    if (*compiled) {
        text = (*compiled)->text;
        json_text = json::serialize((*compiled)->json);
    }
    return storage::WithWrite(db_, [&](Transaction& tx) -> Result<Audience> {
        auto rows = tx.Query(q::kAudienceInsert,
                             {*label, in.description, std::string(AudienceKindName(in.kind)),
                              in.resource, TextOrNull(text), TextOrNull(json_text),
                              TimeOrNull(in.expires_at), ToUnixMillis(now), actor.username});
        if (!rows) return Fail(rows.error());
        AudienceId id(AsInt(rows->rows.at(0).at(0)));
        if (in.kind == AudienceKind::kList && *compiled) {
            // The snapshot: the profiles the expression selects now become the members.
            storage::Params params(d);
            auto audience = params.Add(id.value());
            auto added_at = params.Add(ToUnixMillis(now));
            auto filter =
                query::EmitSql(query::Normalize((*compiled)->checked, clock_), d, params, clock_);
            if (!filter) return Fail(std::move(filter.error()).With("field", "expression"));
            auto sql = fmt::format(
                "INSERT INTO audience_members (audience_id, profile_id, added_at) "
                "SELECT CAST({} AS BIGINT), t.id, CAST({} AS BIGINT) FROM {} t WHERE {}",
                audience, added_at, filter->table, filter->condition);
            if (auto n = tx.ExecSql(sql, params.values()); !n) return Fail(n.error());
        }
        AuditDetails details{{"label", *label}, {"kind", std::string(AudienceKindName(in.kind))}};
        if (text) details.emplace_back("expression", *text);
        if (auto st = audit_.Record(tx, actor, "audience.create", "audience",
                                    std::to_string(id.value()), details);
            !st) {
            return Fail(st.error());
        }
        return Load(tx, id, now);
    });
}

Result<Page<Audience>> AudienceService::List(const Actor& actor,
                                             const AudienceListQuery& query) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    if (auto st = CheckLimit(query.page.limit); !st) return Fail(st.error());
    auto before = DecodeCursor(query.page.cursor, std::numeric_limits<std::int64_t>::max());
    if (!before) return Fail(before.error());
    const auto now = clock_.Now();
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<Page<Audience>> {
        auto rows = tx.Query(q::kAudienceList,
                             {*before, LikePattern(query.search), ExpiredMode(query.expired),
                              ToUnixMillis(now), std::int64_t{query.page.limit} + 1});
        if (!rows) return Fail(rows.error());
        Page<Audience> out;
        for (const auto& row : rows->rows) {
            if (out.items.size() == static_cast<std::size_t>(query.page.limit)) {
                out.next = EncodeCursor(out.items.back().id.value());
                break;
            }
            out.items.push_back(FromRow(row, now));
        }
        return out;
    });
}

Result<std::int64_t> AudienceService::Count(const Actor& actor,
                                            const AudienceListQuery& query) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<std::int64_t> {
        auto rows = tx.Query(
            q::kAudienceCount,
            {LikePattern(query.search), ExpiredMode(query.expired), ToUnixMillis(clock_.Now())});
        if (!rows) return Fail(rows.error());
        return AsInt(rows->rows.at(0).at(0));
    });
}

Result<Audience> AudienceService::Get(const Actor& actor, AudienceId id) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    return storage::WithRead(db_, [&](Transaction& tx) { return Load(tx, id, clock_.Now()); });
}

Result<Audience> AudienceService::Update(const Actor& actor, AudienceId id,
                                         const AudiencePatch& patch) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    std::optional<std::string> label;
    if (patch.label) {
        auto checked = CheckLabel(*patch.label);
        if (!checked) return Fail(checked.error());
        label = std::move(*checked);
    }
    if (patch.description) {
        if (auto st = CheckDescription(*patch.description); !st) return Fail(st.error());
    }
    const auto now = clock_.Now();
    return storage::WithWrite(db_, [&](Transaction& tx) -> Result<Audience> {
        auto before = Load(tx, id, now);
        if (!before) return before;
        Audience after = *before;
        AuditDetails details;
        if (label && *label != before->label) {
            after.label = *label;
            details.emplace_back("label", *label);
        }
        if (patch.description && *patch.description != before->description) {
            after.description = *patch.description;
            details.emplace_back("description", "changed");
        }
        if (patch.expires_at && *patch.expires_at != before->expires_at) {
            after.expires_at = *patch.expires_at;
            details.emplace_back("expiresAt",
                                 after.expires_at ? FormatRfc3339(*after.expires_at) : "never");
        }
        if (!patch.expression.empty()) {
            if (before->kind == AudienceKind::kList) {
                return Fail(
                    Error::InvalidField(patch.expression.text ? "expression" : "json",
                                        "a list audience keeps the profiles it was made with; its "
                                        "expression cannot change (make a new audience instead)"));
            }
            auto compiled = Compile(patch.expression, schema_.Current(), before->resource);
            if (!compiled) return Fail(compiled.error());
            if ((*compiled)->text != before->expression.value_or("")) {
                details.emplace_back("expression", (*compiled)->text);
            }
            after.expression = (*compiled)->text;
            after.json = (*compiled)->json;
        }
        auto json_text = after.json ? std::optional<std::string>(json::serialize(*after.json))
                                    : std::optional<std::string>();
        auto r = tx.Exec(q::kAudienceUpdate,
                         {id.value(), after.label, after.description, TextOrNull(after.expression),
                          TextOrNull(json_text), TimeOrNull(after.expires_at), ToUnixMillis(now),
                          actor.username});
        if (!r) return Fail(r.error());
        if (auto st = audit_.Record(tx, actor, "audience.update", "audience",
                                    std::to_string(id.value()), details);
            !st) {
            return Fail(st.error());
        }
        return Load(tx, id, now);
    });
}

Status AudienceService::Delete(const Actor& actor, AudienceId id) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    return storage::WithWrite(db_, [&](Transaction& tx) -> Status {
        auto before = Load(tx, id, clock_.Now());
        if (!before) return Fail(before.error());
        if (auto r = tx.Exec(q::kAudienceDelete, {id.value()}); !r) return Fail(r.error());
        AuditDetails details{{"label", before->label},
                             {"kind", std::string(AudienceKindName(before->kind))}};
        if (before->member_count) {
            details.emplace_back("members", std::to_string(*before->member_count));
        }
        return audit_.Record(tx, actor, "audience.delete", "audience", std::to_string(id.value()),
                             details);
    });
}

Result<Audience> AudienceService::LoadUsable(const Actor& actor, AudienceId id) const {
    auto a = Get(actor, id);
    if (!a) return a;
    if (a->expired) return Fail(Expired(*a));
    return a;
}

Result<ListQuery> AudienceService::TargetOf(const Audience& a) const {
    ListQuery out;
    if (a.kind == AudienceKind::kList) {
        out.audience_members = a.id.value();
        return out;
    }
    // Recomputed: the stored text is read again against the model in force, which may have
    // lost a field since the audience was saved.
    const std::string& text = a.expression.value_or("");
    auto stale = [&](const Error& e) {
        Error out = Error::FailedPrecondition(
            fmt::format("the audience '{}' no longer fits the data model: {}", a.label, e.message));
        out.details = e.details;
        out.details["field"] = "expression";
        return out;
    };
    auto expr = query::Parse(text);
    if (!expr) return Fail(stale(expr.error()));
    auto checked = query::Check(*expr, schema_.Current(), a.resource, text);
    if (!checked) return Fail(stale(checked.error()));
    out.filter = text;
    return out;
}

Result<ListQuery> AudienceService::Target(const Actor& actor, AudienceId id) const {
    auto a = LoadUsable(actor, id);
    if (!a) return Fail(a.error());
    return TargetOf(*a);
}

Result<std::int64_t> AudienceService::CountMembers(const Actor& actor, AudienceId id) const {
    auto target = Target(actor, id);
    if (!target) return Fail(target.error());
    return records_.Count(actor, kProfile, *target);
}

Result<std::vector<json::object>> AudienceService::Preview(const Actor& actor, AudienceId id,
                                                           const std::vector<std::string>& columns,
                                                           int limit) const {
    auto target = Target(actor, id);
    if (!target) return Fail(target.error());
    if (auto st = CheckLimit(limit); !st) return Fail(st.error());
    {
        auto model = schema_.Current();
        const schema::Resource* r = model->Find(kProfile);
        for (const auto& c : columns) {
            if (!r->FindField(c) && !r->FindLink(c)) {
                return Fail(
                    Error::InvalidField("columns", fmt::format("profile has no field '{}'", c)));
            }
        }
    }
    target->page.limit = limit;
    auto page = records_.List(actor, kProfile, *target);
    if (!page) return Fail(page.error());
    std::vector<json::object> out;
    out.reserve(page->items.size());
    for (auto& item : page->items) {
        if (columns.empty()) {
            out.push_back(std::move(item));
            continue;
        }
        json::object picked{{"id", item.at("id")}};
        for (const auto& c : columns) {
            auto f = item.find(c);
            picked[c] = f == item.end() ? json::value(nullptr) : f->value();
        }
        out.push_back(std::move(picked));
    }
    return out;
}

Result<std::int64_t> AudienceService::Export(const Actor& actor, AudienceId id,
                                             const std::vector<std::string>& columns,
                                             importexport::CsvWriter& out) const {
    auto target = Target(actor, id);
    if (!target) return Fail(target.error());
    ExportRequest request;
    request.resource = kProfile;
    request.columns = columns;
    request.filter = std::move(*target);
    return exports_.Export(actor, request, out);
}

Result<MembersOutcome> AudienceService::AddMembers(const Actor& actor, AudienceId id,
                                                   std::string_view csv,
                                                   std::string_view key) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    {
        // The audience first: a 404 or 409 says more than a complaint about the file.
        auto a = Get(actor, id);
        if (!a) return Fail(a.error());
        if (auto st = RequireList(*a); !st) return Fail(st.error());
    }
    if (!key.empty() && KeyName(key).empty()) {
        return Fail(Error::InvalidField("key", "key must be id, email or externalId"));
    }
    if (Trim(csv).empty()) {
        return Fail(Error::InvalidField(
            "file", "the file is empty: send one id, email or externalId per line"));
    }
    auto sniff = importexport::SniffString(csv);
    if (!sniff) return Fail(Error::InvalidField("file", sniff.error().message));
    auto reader = importexport::CsvReader::FromString(std::string(csv), sniff->options());

    // The whole file is read first, so that a file we cannot use changes nothing; then the
    // values are looked up in file order, in one transaction.
    MembersOutcome out;
    struct Line {
        std::uint64_t line = 0;
        std::string value;
        std::string error;  // non-empty: rejected as it is
    };
    std::vector<Line> lines;
    std::size_t column = 0;
    bool first = true;
    importexport::CsvRecord record;
    while (true) {
        auto more = reader->Next(record);
        if (!more) return Fail(Error::InvalidField("file", more.error().message));
        if (!*more) break;
        if (first) {
            first = false;
            for (std::size_t i = 0; i < record.fields.size(); ++i) {
                if (auto k = KeyName(record.fields[i]); !k.empty()) {
                    out.key = k;
                    column = i;
                    break;
                }
            }
            if (!out.key.empty()) continue;  // a header line
            if (record.fields.size() > 1) {
                return Fail(Error::InvalidField(
                    "file",
                    "the file has several columns but no header line naming the "
                    "key column (id, email or externalId)"));
            }
            out.key = key.empty() ? GuessKey(record.fields.empty() ? "" : record.fields[0])
                                  : KeyName(key);
        }
        Line l{record.line,
               column < record.fields.size() ? std::string(Trim(record.fields[column])) : "",
               record.error};
        if (l.error.empty() && l.value.empty()) l.error = fmt::format("the {} is empty", out.key);
        lines.push_back(std::move(l));
    }
    if (out.key.empty()) out.key = key.empty() ? "email" : KeyName(key);

    auto model = schema_.Current();
    const schema::Field* field =
        model->Find(kProfile)->FindField(out.key == "email" ? "email" : "externalId");
    const auto now = clock_.Now();
    auto reject = [&](const Line& l, std::string reason, bool unmatched) {
        ++(unmatched ? out.unmatched : out.rejected);
        if (out.rejects.size() < kMaxMemberRejects) {
            out.rejects.push_back({l.line, l.value, std::move(reason)});
        }
    };
    return storage::WithWrite(db_, [&](Transaction& tx) -> Result<MembersOutcome> {
        auto a = Load(tx, id, now);
        if (!a) return Fail(a.error());
        if (auto st = RequireList(*a); !st) return Fail(st.error());
        for (const auto& l : lines) {
            if (!l.error.empty()) {
                reject(l, l.error, false);
                continue;
            }
            Result<storage::Rows> found = storage::Rows{};
            if (out.key == "id") {
                std::int64_t pid = 0;
                auto [p, ec] =
                    std::from_chars(l.value.data(), l.value.data() + l.value.size(), pid);
                if (ec != std::errc() || p != l.value.data() + l.value.size() || pid <= 0) {
                    reject(l, "an id must be a positive whole number", false);
                    continue;
                }
                found = tx.Query(q::kAudienceProfileById, {pid});
            } else {
                auto stored = storage::TextToStored(*field, l.value, "");
                if (!stored) {
                    reject(l, stored.error().message, false);
                    continue;
                }
                found = tx.Query(out.key == "email" ? q::kAudienceProfilesByEmail
                                                    : q::kAudienceProfileByExternalId,
                                 {*stored});
            }
            if (!found) return Fail(found.error());
            if (found->empty()) {
                reject(l, fmt::format("no profile has this {}", out.key), true);
                continue;
            }
            std::int64_t added = 0;
            for (const auto& row : found->rows) {
                auto n = tx.Exec(q::kAudienceMemberInsert, {id.value(), row[0], ToUnixMillis(now)});
                if (!n) return Fail(n.error());
                added += *n;
            }
            out.added += added;
            if (added == 0) ++out.already;
        }
        if (auto r = tx.Exec(q::kAudienceTouch, {id.value(), ToUnixMillis(now), actor.username});
            !r) {
            return Fail(r.error());
        }
        if (auto st = audit_.Record(tx, actor, "audience.members.add", "audience",
                                    std::to_string(id.value()),
                                    {{"key", out.key},
                                     {"added", std::to_string(out.added)},
                                     {"unmatched", std::to_string(out.unmatched)},
                                     {"rejected", std::to_string(out.rejected)}});
            !st) {
            return Fail(st.error());
        }
        return out;
    });
}

Result<std::int64_t> AudienceService::ClearMembers(const Actor& actor, AudienceId id) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    const auto now = clock_.Now();
    return storage::WithWrite(db_, [&](Transaction& tx) -> Result<std::int64_t> {
        auto a = Load(tx, id, now);
        if (!a) return Fail(a.error());
        if (auto st = RequireList(*a); !st) return Fail(st.error());
        auto removed = tx.Exec(q::kAudienceMembersClear, {id.value()});
        if (!removed) return Fail(removed.error());
        if (auto r = tx.Exec(q::kAudienceTouch, {id.value(), ToUnixMillis(now), actor.username});
            !r) {
            return Fail(r.error());
        }
        if (auto st =
                audit_.Record(tx, actor, "audience.members.clear", "audience",
                              std::to_string(id.value()), {{"removed", std::to_string(*removed)}});
            !st) {
            return Fail(st.error());
        }
        return *removed;
    });
}

}  // namespace overture::service
