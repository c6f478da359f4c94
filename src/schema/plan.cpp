// PlanPublish walks the desired model in order: each resource is either new (its whole table)
// or existing (a diff of its custom fields, links and indexes); then the published resources
// that are gone are dropped. Statements go into one list per phase, and the phases are joined
// at the end in the order that keeps every statement valid: index drops, column and table
// drops, CREATE TABLEs, column changes, CREATE INDEXes, foreign keys.
#include "schema/plan.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace overture::schema {

bool PublishPlan::loses_data() const {
    return std::any_of(changes.begin(), changes.end(),
                       [](const PlannedChange& c) { return c.loses_data; });
}

bool PublishPlan::empty() const { return changes.empty() && statements.empty(); }

namespace {

// The prefix SQLite's table rebuild gives the new table before renaming it.
constexpr std::string_view kRebuildPrefix = "x__new_";

Error Refuse(const Resource& r, std::string_view item, std::string message) {
    return Error::InvalidArgument(std::move(message))
        .With("path", fmt::format("{}.{}", r.name, item));
}

const Field* FindCustomField(const Resource& r, std::string_view name) {
    const Field* f = r.FindField(name);
    return f && !f->builtin ? f : nullptr;
}

const Link* FindCustomLink(const Resource& r, std::string_view name) {
    const Link* l = r.FindLink(name);
    return l && !l->builtin ? l : nullptr;
}

// A custom index of `r` with the same name and definition as `ix`.
bool HasSameIndex(const Resource& r, const Index& ix) {
    return std::any_of(r.indexes.begin(), r.indexes.end(), [&](const Index& other) {
        return !other.builtin && other.name == ix.name && other.fields == ix.fields &&
               other.unique == ix.unique;
    });
}

std::string TypeLabel(const Field& f) {
    if (f.type == FieldType::kString) return fmt::format("string({})", f.length);
    return std::string(FieldTypeName(f.type));
}

std::string IndexLabel(const Resource& r, const Index& ix) {
    return fmt::format("{} {} on {} ({})", ix.unique ? "unique key" : "index", ix.name, r.name,
                       fmt::join(ix.fields, ", "));
}

std::string Count(std::size_t n, std::string_view what) {
    return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
}

class Planner {
  public:
    Planner(const Model& from, const Model& to, SqlDialect dialect)
        : from_(from), to_(to), dialect_(dialect) {}

    Result<PublishPlan> Run() {
        for (const auto& t : to_.resources()) {
            const Resource* f = from_.Find(t.name);
            if (f) {
                if (auto st = Diff(*f, t); !st) return Fail(st.error());
            } else if (t.builtin) {
                return Fail(Error::Internal(fmt::format(
                    "built-in resource {} is missing from the published model", t.name)));
            } else {
                Add(t);
            }
        }
        std::vector<const Resource*> dropped;
        for (const auto& f : from_.resources()) {
            if (to_.Find(f.name)) continue;
            if (f.builtin) {
                return Fail(Error::Internal(
                    fmt::format("built-in resource {} is missing from the new model", f.name)));
            }
            dropped.push_back(&f);
        }
        DropResources(std::move(dropped));

        PublishPlan plan;
        plan.changes = std::move(changes_);
        for (auto* phase : {&drop_indexes_, &drop_columns_, &drop_tables_, &creates_, &alters_,
                            &indexes_, &foreign_keys_}) {
            for (auto& s : *phase) plan.statements.push_back(std::move(s));
        }
        return plan;
    }

  private:
    bool Sqlite() const { return dialect_ == SqlDialect::kSqlite; }

    void Note(std::string description, bool loses_data = false) {
        changes_.push_back(PlannedChange{std::move(description), loses_data});
    }

    void Add(const Resource& t) {
        TableSql sql = ResourceTableSql(t, dialect_);
        creates_.push_back(std::move(sql.create_table));
        for (auto& s : sql.indexes) indexes_.push_back(std::move(s));
        for (auto& s : sql.foreign_keys) foreign_keys_.push_back(std::move(s));
        auto fields = std::count_if(t.fields.begin(), t.fields.end(),
                                    [](const Field& f) { return !f.builtin; });
        Note(fmt::format("add resource {} with {} and {}", t.name,
                         Count(static_cast<std::size_t>(fields), "field"),
                         Count(t.links.size(), "link")));
    }

    // An existing resource: `f` as published, `t` as wanted.
    Status Diff(const Resource& f, const Resource& t) {
        std::vector<const Field*> dropped_fields;
        std::vector<const Link*> dropped_links;
        for (const auto& field : f.fields) {
            if (!field.builtin && !FindCustomField(t, field.name)) dropped_fields.push_back(&field);
        }
        for (const auto& link : f.links) {
            if (!link.builtin && !FindCustomLink(t, link.name)) dropped_links.push_back(&link);
        }
        const bool rebuild = Sqlite() && !dropped_links.empty();
        if (rebuild && f.builtin) {
            const Link& l = *dropped_links.front();
            return Fail(Refuse(
                f, l.name,
                fmt::format("cannot drop link {}.{} on SQLite: dropping a link column means "
                            "rebuilding the table, and the built-in table {} cannot be rebuilt "
                            "safely; keep the link (it may stay unused)",
                            f.name, l.name, f.table)));
        }

        for (const auto& ix : f.indexes) {
            if (ix.builtin || HasSameIndex(t, ix)) continue;
            drop_indexes_.push_back(fmt::format("DROP INDEX {}", QuoteIdent(ix.name)));
            Note("drop " + IndexLabel(f, ix));
        }
        for (const Field* field : dropped_fields) {
            if (!rebuild) drop_columns_.push_back(DropColumn(f, field->column));
            Note(fmt::format("drop field {}.{} and its values", f.name, field->name), true);
        }
        for (const Link* link : dropped_links) {
            if (!rebuild) drop_columns_.push_back(DropColumn(f, link->column));
            Note(fmt::format("drop link {}.{} and its values", f.name, link->name), true);
        }
        if (rebuild) Rebuild(f, t);

        for (const auto& field : t.fields) {
            if (field.builtin) continue;
            if (const Field* old = FindCustomField(f, field.name)) {
                if (auto st = DiffField(t, *old, field); !st) return st;
                continue;
            }
            alters_.push_back(fmt::format("ALTER TABLE {} ADD COLUMN {} {}", QuoteIdent(t.table),
                                          QuoteIdent(field.column), ColumnType(field, dialect_)));
            Note(fmt::format("add field {} ({}) to {}", field.name, TypeLabel(field), t.name));
        }
        for (const auto& link : t.links) {
            if (link.builtin) continue;
            if (const Link* old = FindCustomLink(f, link.name)) {
                if (auto st = DiffLink(t, *old, link); !st) return st;
                continue;
            }
            if (link.cardinality == Cardinality::kOne) {
                return Fail(
                    Refuse(t, link.name,
                           fmt::format("cannot add link {}.{} with cardinality one: the existing "
                                       "records of {} have no {} to link to; add it as zeroOrOne",
                                       t.name, link.name, t.name, link.target)));
            }
            alters_.push_back(fmt::format("ALTER TABLE {} ADD COLUMN {}", QuoteIdent(t.table),
                                          LinkColumnSql(link, dialect_)));
            indexes_.push_back(CreateLinkIndexSql(t, link));
            if (!Sqlite()) foreign_keys_.push_back(AddForeignKeySql(t, link));
            Note(fmt::format("add link {} ({} to {}) to {}", link.name,
                             CardinalityName(link.cardinality), link.target, t.name));
        }
        for (const auto& ix : t.indexes) {
            if (ix.builtin || HasSameIndex(f, ix)) continue;
            indexes_.push_back(CreateIndexSql(t, ix));
            Note("add " + IndexLabel(t, ix));
        }
        return {};
    }

    Status DiffField(const Resource& t, const Field& old, const Field& now) {
        if (old.type != now.type) {
            return Fail(Refuse(
                t, now.name,
                fmt::format("cannot change the type of {}.{} from {} to {}: add a new field with "
                            "the new type instead (and drop this one once its data is copied)",
                            t.name, now.name, FieldTypeName(old.type), FieldTypeName(now.type))));
        }
        if (now.type == FieldType::kString && now.length != old.length) {
            if (now.length < old.length) {
                return Fail(Refuse(
                    t, now.name,
                    fmt::format("cannot lower the length of {}.{} from {} to {}: longer values "
                                "would not fit; keep {} (the application may check a shorter "
                                "length) or add a new field",
                                t.name, now.name, old.length, now.length, old.length)));
            }
            if (!Sqlite()) {
                alters_.push_back(fmt::format("ALTER TABLE {} ALTER COLUMN {} TYPE {}",
                                              QuoteIdent(t.table), QuoteIdent(now.column),
                                              ColumnType(now, dialect_)));
            }
            Note(fmt::format("raise the length of {}.{} from {} to {}", t.name, now.name,
                             old.length, now.length));
        }
        if (now.type == FieldType::kEnum) NoteEnumValues(t, old, now);
        if (now.required != old.required) {
            Note(fmt::format(
                "make {}.{} {}", t.name, now.name,
                now.required ? "required (for records created from now on)" : "optional"));
        }
        return {};
    }

    // Enum values need no DDL (the column is text), but people should see what changes:
    // records keep a removed value.
    void NoteEnumValues(const Resource& t, const Field& old, const Field& now) {
        std::vector<std::string_view> added, removed;
        for (const auto& v : now.values) {
            if (!old.FindValue(v.value)) added.push_back(v.value);
        }
        for (const auto& v : old.values) {
            if (!now.FindValue(v.value)) removed.push_back(v.value);
        }
        std::vector<std::string> parts;
        if (!added.empty()) parts.push_back(fmt::format("add {}", fmt::join(added, ", ")));
        if (!removed.empty()) {
            parts.push_back(
                fmt::format("remove {} (records that have it keep it)", fmt::join(removed, ", ")));
        }
        if (!parts.empty()) {
            Note(fmt::format("change the values of enum {}.{}: {}", t.name, now.name,
                             fmt::join(parts, "; ")));
        }
    }

    Status DiffLink(const Resource& t, const Link& old, const Link& now) {
        if (old.target != now.target) {
            return Fail(Refuse(
                t, now.name,
                fmt::format("cannot change the target of link {}.{} from {} to {}: add a new "
                            "link instead (and drop this one when it is no longer needed)",
                            t.name, now.name, old.target, now.target)));
        }
        if (old.cardinality != now.cardinality) {
            return Fail(Refuse(
                t, now.name,
                fmt::format("cannot change the cardinality of link {}.{} from {} to {}: add a "
                            "new link instead (and drop this one when it is no longer needed)",
                            t.name, now.name, CardinalityName(old.cardinality),
                            CardinalityName(now.cardinality))));
        }
        return {};
    }

    std::string DropColumn(const Resource& r, std::string_view column) {
        return fmt::format("ALTER TABLE {} DROP COLUMN {}", QuoteIdent(r.table),
                           QuoteIdent(column));
    }

    // SQLite cannot drop a column that a foreign key uses, so the table is rebuilt without its
    // dropped fields and links (https://www.sqlite.org/lang_altertable.html, "otheralter"):
    // new table, copy, drop, rename, indexes. The AUTOINCREMENT counter is carried over so ids
    // of deleted records are never handed out again.
    void Rebuild(const Resource& f, const Resource& t) {
        Resource kept = f;
        std::erase_if(kept.fields,
                      [&](const Field& x) { return !x.builtin && !FindCustomField(t, x.name); });
        std::erase_if(kept.links,
                      [&](const Link& x) { return !x.builtin && !FindCustomLink(t, x.name); });
        std::erase_if(kept.indexes,
                      [&](const Index& x) { return !x.builtin && !HasSameIndex(t, x); });

        const std::string temp = std::string(kRebuildPrefix) + f.table;
        std::vector<std::string> columns = {QuoteIdent("id"), QuoteIdent("created_at"),
                                            QuoteIdent("modified_at")};
        for (const auto& x : kept.fields) {
            if (!x.builtin) columns.push_back(QuoteIdent(x.column));
        }
        for (const auto& x : kept.links) columns.push_back(QuoteIdent(x.column));

        TableSql sql = ResourceTableSql(kept, dialect_, temp);
        drop_columns_.push_back(std::move(sql.create_table));
        drop_columns_.push_back(fmt::format("INSERT INTO {} ({}) SELECT {} FROM {}",
                                            QuoteIdent(temp), fmt::join(columns, ", "),
                                            fmt::join(columns, ", "), QuoteIdent(f.table)));
        drop_columns_.push_back(
            fmt::format("DELETE FROM \"sqlite_sequence\" WHERE \"name\" = {}", QuoteString(temp)));
        drop_columns_.push_back(fmt::format(
            "INSERT INTO \"sqlite_sequence\" (\"name\", \"seq\") SELECT {}, \"seq\" FROM "
            "\"sqlite_sequence\" WHERE \"name\" = {}",
            QuoteString(temp), QuoteString(f.table)));
        drop_columns_.push_back(fmt::format("DROP TABLE {}", QuoteIdent(f.table)));
        drop_columns_.push_back(
            fmt::format("ALTER TABLE {} RENAME TO {}", QuoteIdent(temp), QuoteIdent(f.table)));
        for (auto& s : sql.indexes) drop_columns_.push_back(std::move(s));
        Note(
            fmt::format("rebuild table {} without the dropped links (SQLite cannot drop a "
                        "link column in place)",
                        f.table));
    }

    // Dependents first: a table goes when no other dropped table still links to it. In a cycle
    // the first one goes anyway, after (PostgreSQL) the foreign keys that point at it from the
    // other dropped tables; SQLite does not check them when a table is dropped.
    void DropResources(std::vector<const Resource*> remaining) {
        for (const Resource* r : remaining) {
            Note(fmt::format("drop resource {} and all its records", r->name), true);
        }
        auto links_to = [](const Resource& from, const Resource& target) {
            return from.name != target.name &&
                   std::any_of(from.links.begin(), from.links.end(),
                               [&](const Link& l) { return l.target == target.name; });
        };
        while (!remaining.empty()) {
            auto next = std::find_if(remaining.begin(), remaining.end(), [&](const Resource* r) {
                return std::none_of(remaining.begin(), remaining.end(),
                                    [&](const Resource* s) { return links_to(*s, *r); });
            });
            if (next == remaining.end()) next = remaining.begin();
            const Resource& r = **next;
            if (!Sqlite()) {
                for (const Resource* s : remaining) {
                    if (s == &r) continue;
                    for (const auto& l : s->links) {
                        if (l.target != r.name) continue;
                        drop_tables_.push_back(fmt::format("ALTER TABLE {} DROP CONSTRAINT {}",
                                                           QuoteIdent(s->table),
                                                           QuoteIdent(ForeignKeyName(*s, l))));
                    }
                }
            }
            drop_tables_.push_back(fmt::format("DROP TABLE {}", QuoteIdent(r.table)));
            remaining.erase(next);
        }
    }

    const Model& from_;
    const Model& to_;
    SqlDialect dialect_;
    std::vector<PlannedChange> changes_;
    // One list per phase, joined in this order by Run().
    std::vector<std::string> drop_indexes_, drop_columns_, drop_tables_, creates_, alters_,
        indexes_, foreign_keys_;
};

}  // namespace

Result<PublishPlan> PlanPublish(const Model& from, const Model& to, SqlDialect dialect) {
    return Planner(from, to, dialect).Run();
}

}  // namespace overture::schema
