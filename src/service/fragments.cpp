// FragmentService: content fragments as rows of `content_fragments`, checked by compiling them
// with the render engine against the store as it would be after the change.
#include "service/fragments.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "common/strings.hpp"
#include "service/queries.hpp"

namespace overture::service {

using storage::AsInt;
using storage::AsString;
using storage::Transaction;
using storage::Value;

namespace {

constexpr std::size_t kMaxLabel = 200;
constexpr std::size_t kMaxDescription = 2000;

// name -> source; std::less<> so that the provider looks names up without a copy.
using SourceMap = std::map<std::string, std::string, std::less<>>;

bool ValidName(std::string_view name) {
    return !name.empty() && name.size() <= 64 &&
           name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") ==
               std::string_view::npos &&
           name[0] != '_' && name[0] != '-';
}

Error BadName() {
    return Error::InvalidField("name",
                               "name must be 1 to 64 characters: lower-case letters, digits, '_' "
                               "and '-', starting with a letter or digit");
}

Result<std::string> CheckText(std::string_view field, std::string_view text, std::size_t max) {
    auto trimmed = std::string(Trim(text));
    if (trimmed.size() > max || !IsValidUtf8(trimmed)) {
        return Fail(Error::InvalidField(
            std::string(field),
            fmt::format("{} must be UTF-8 text of at most {} characters", field, max)));
    }
    return trimmed;
}

Fragment FromRow(const std::vector<Value>& r) {
    Fragment f;
    f.id = FragmentId(AsInt(r[0]));
    f.name = AsString(r[1]);
    f.label = AsString(r[2]);
    f.description = AsString(r[3]);
    f.source = AsString(r[4]);
    f.created_at = FromUnixMillis(AsInt(r[5]));
    f.created_by = AsString(r[6]);
    f.modified_at = FromUnixMillis(AsInt(r[7]));
    f.modified_by = AsString(r[8]);
    return f;
}

Error NoSuchFragment(FragmentId id) {
    return Error::NotFound(fmt::format("there is no content fragment with id {}", id.value()));
}

Result<Fragment> Load(Transaction& tx, FragmentId id) {
    auto rows = tx.Query(q::kFragmentGet, {id.value()});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(NoSuchFragment(id));
    return FromRow(rows->rows[0]);
}

Result<SourceMap> LoadSources(Transaction& tx) {
    auto rows = tx.Query(q::kFragmentSources, {});
    if (!rows) return Fail(rows.error());
    SourceMap out;
    for (const auto& r : rows->rows) out.emplace(AsString(r[0]), AsString(r[1]));
    return out;
}

render::CompileOptions Options(render::FragmentProvider provider) {
    return {.mode = render::Mode::kHtml, .strict = false, .fragments = std::move(provider)};
}

// The fragments `source` includes itself, in order of first use: compiled with every include
// empty, so that only its own tags are read.
std::vector<std::string> DirectIncludes(std::string_view source) {
    std::vector<std::string> names;
    (void)render::Compile(source, Options([&names](std::string_view n) {
                              names.emplace_back(n);
                              return std::optional<std::string>(std::string());
                          }));
    return names;
}

// An error placed where `source` first includes `target`: the engine reports an unknown
// fragment at that tag when every other include is empty and `target` is missing.
Error AtInclude(std::string_view source, std::string_view target, std::string_view message) {
    auto tpl = render::Compile(source, Options([target](std::string_view n) {
                                   return n == target ? std::optional<std::string>()
                                                      : std::optional<std::string>(std::string());
                               }));
    Error e = tpl ? Error::InvalidArgument("") : std::move(tpl.error());
    e.details.erase("fragment");
    e.message =
        e.details.contains("line")
            ? fmt::format("line {}, column {}: {}", e.details["line"], e.details["column"], message)
            : std::string(message);
    e.details["field"] = "source";
    return e;
}

// A path of includes from a fragment to the first problem found depth-first: a name that no
// fragment has (`cycle` false, the last element), or a fragment already on the path (`cycle`
// true, the last element repeats an earlier one).
struct IncludeProblem {
    std::vector<std::string> path;
    bool cycle = false;
};

class ProblemFinder {
  public:
    explicit ProblemFinder(const SourceMap& all) : all_(all) {}

    std::optional<IncludeProblem> From(const std::string& name) {
        path_.push_back(name);
        auto it = all_.find(name);
        if (it == all_.end()) return IncludeProblem{path_, false};
        if (on_path_.contains(name)) return IncludeProblem{path_, true};
        if (done_.contains(name)) {
            path_.pop_back();
            return std::nullopt;
        }
        on_path_.insert(name);
        for (const auto& next : DirectIncludes(it->second)) {
            if (auto p = From(next)) return p;
        }
        on_path_.erase(name);
        done_.insert(name);
        path_.pop_back();
        return std::nullopt;
    }

    // Whether `from` includes `target`, directly or through other fragments.
    bool Reaches(const std::string& from, std::string_view target) {
        std::set<std::string> seen;
        std::vector<std::string> todo{from};
        while (!todo.empty()) {
            auto name = std::move(todo.back());
            todo.pop_back();
            if (name == target) return true;
            auto it = all_.find(name);
            if (it == all_.end() || !seen.insert(name).second) continue;
            for (auto& next : DirectIncludes(it->second)) todo.push_back(std::move(next));
        }
        return false;
    }

  private:
    const SourceMap& all_;
    std::vector<std::string> path_;
    std::set<std::string> on_path_, done_;
};

// Compiles the fragment `name` with `source` against `all` (the store with this fragment's new
// source in it). The engine alone reports a missing fragment or an error deep inside the
// fragment that has it, and a cycle only as too deep an include; this turns both into an error
// at the include of this fragment that leads there, naming the fragment at fault (in
// details["fragment"]).
Status CheckSource(const std::string& name, const std::string& source, const SourceMap& all) {
    if (source.size() > kMaxFragmentSourceBytes) {
        return Fail(Error::InvalidField(
            "source", fmt::format("source must be at most {} bytes", kMaxFragmentSourceBytes)));
    }
    if (!IsValidUtf8(source)) return Fail(Error::InvalidField("source", "source must be UTF-8"));
    auto tpl = render::Compile(source, Options([&all](std::string_view n) {
                                   auto it = all.find(n);
                                   return it == all.end() ? std::optional<std::string>()
                                                          : std::optional<std::string>(it->second);
                               }));
    if (tpl) return {};
    Error e = std::move(tpl.error());
    const bool nested = e.details.contains("fragment");
    const bool too_deep = e.details.contains("limit") && e.details["limit"] == "maxIncludeDepth";
    const bool unknown = e.message.find("unknown fragment \"") != std::string::npos;
    if (nested || too_deep || unknown) {
        ProblemFinder finder(all);
        if (auto p = finder.From(name)) {
            const auto& path = p->path;
            const std::string chain = fmt::format("{}", fmt::join(path, " -> "));
            std::string message;
            if (p->cycle && path.size() == 2) {
                message = fmt::format("fragment \"{}\" includes itself", name);
            } else if (p->cycle) {
                message = fmt::format("fragments include each other in a cycle: {}", chain);
            } else if (path.size() == 2) {
                message = fmt::format("unknown fragment \"{}\"", path[1]);
            } else {
                message = fmt::format("fragment \"{}\" includes \"{}\", which does not exist ({})",
                                      path[path.size() - 2], path.back(), chain);
            }
            Error out = AtInclude(source, path[1], message);
            out.details["fragment"] = p->cycle ? path[path.size() - 2] : path.back();
            return Fail(std::move(out));
        }
        if (nested) {
            // A fragment it includes does not compile: point at the include that leads there.
            const std::string inner = e.details["fragment"];
            for (const auto& direct : DirectIncludes(source)) {
                if (direct != name && finder.Reaches(direct, inner)) {
                    Error out =
                        AtInclude(source, direct,
                                  fmt::format("included fragment \"{}\" does not compile: {}",
                                              direct, e.message));
                    out.details["fragment"] = inner;
                    return Fail(std::move(out));
                }
            }
        }
    }
    e.details["field"] = "source";
    return Fail(std::move(e));
}

}  // namespace

Result<Fragment> FragmentService::Create(const Actor& actor, const NewFragment& in) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    if (!ValidName(in.name)) return Fail(BadName());
    auto label = CheckText("label", in.label, kMaxLabel);
    if (!label) return Fail(label.error());
    if (label->empty()) *label = in.name;
    auto description = CheckText("description", in.description, kMaxDescription);
    if (!description) return Fail(description.error());
    const auto now = ToUnixMillis(clock_.Now());
    return storage::WithWrite(db_, [&](Transaction& tx) -> Result<Fragment> {
        auto existing = tx.Query(q::kFragmentGetByName, {in.name});
        if (!existing) return Fail(existing.error());
        if (!existing->empty()) {
            return Fail(
                Error::AlreadyExists(fmt::format("a content fragment named '{}' exists", in.name))
                    .With("field", "name"));
        }
        auto all = LoadSources(tx);
        if (!all) return Fail(all.error());
        (*all)[in.name] = in.source;
        if (auto st = CheckSource(in.name, in.source, *all); !st) return Fail(st.error());
        auto rows = tx.Query(q::kFragmentInsert,
                             {in.name, *label, *description, in.source, now, actor.username});
        if (!rows) return Fail(rows.error());
        FragmentId id(AsInt(rows->rows.at(0).at(0)));
        if (auto st = audit_.Record(tx, actor, "fragment.create", "fragment",
                                    std::to_string(id.value()), {{"name", in.name}});
            !st) {
            return Fail(st.error());
        }
        return Load(tx, id);
    });
}

Result<Page<Fragment>> FragmentService::List(const Actor& actor,
                                             const FragmentListQuery& query) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    if (auto st = CheckLimit(query.page.limit); !st) return Fail(st.error());
    auto after = DecodeCursor(query.page.cursor, 0);
    if (!after) return Fail(after.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<Page<Fragment>> {
        auto rows = tx.Query(q::kFragmentList, {*after, LikePattern(query.search),
                                                std::int64_t{query.page.limit} + 1});
        if (!rows) return Fail(rows.error());
        Page<Fragment> out;
        for (const auto& row : rows->rows) {
            if (out.items.size() == static_cast<std::size_t>(query.page.limit)) {
                out.next = EncodeCursor(out.items.back().id.value());
                break;
            }
            out.items.push_back(FromRow(row));
        }
        return out;
    });
}

Result<std::int64_t> FragmentService::Count(const Actor& actor, const std::string& search) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<std::int64_t> {
        auto rows = tx.Query(q::kFragmentCount, {LikePattern(search)});
        if (!rows) return Fail(rows.error());
        return AsInt(rows->rows.at(0).at(0));
    });
}

Result<Fragment> FragmentService::Get(const Actor& actor, FragmentId id) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    return storage::WithRead(db_, [&](Transaction& tx) { return Load(tx, id); });
}

Result<Fragment> FragmentService::Update(const Actor& actor, FragmentId id,
                                         const FragmentPatch& patch) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    std::optional<std::string> label, description;
    if (patch.label) {
        auto checked = CheckText("label", *patch.label, kMaxLabel);
        if (!checked) return Fail(checked.error());
        if (checked->empty()) return Fail(Error::InvalidField("label", "label is required"));
        label = std::move(*checked);
    }
    if (patch.description) {
        auto checked = CheckText("description", *patch.description, kMaxDescription);
        if (!checked) return Fail(checked.error());
        description = std::move(*checked);
    }
    const auto now = ToUnixMillis(clock_.Now());
    return storage::WithWrite(db_, [&](Transaction& tx) -> Result<Fragment> {
        auto current = Load(tx, id);
        if (!current) return current;
        if (patch.source) {
            auto all = LoadSources(tx);
            if (!all) return Fail(all.error());
            (*all)[current->name] = *patch.source;
            if (auto st = CheckSource(current->name, *patch.source, *all); !st) {
                return Fail(st.error());
            }
        }
        auto n = tx.Exec(
            q::kFragmentUpdate,
            {id.value(), label.value_or(current->label), description.value_or(current->description),
             patch.source.value_or(current->source), now, actor.username});
        if (!n) return Fail(n.error());
        AuditDetails details{{"name", current->name}};
        if (label) details.emplace_back("label", *label);
        if (description) details.emplace_back("description", *description);
        if (patch.source) details.emplace_back("source", "changed");
        if (auto st = audit_.Record(tx, actor, "fragment.update", "fragment",
                                    std::to_string(id.value()), details);
            !st) {
            return Fail(st.error());
        }
        return Load(tx, id);
    });
}

Status FragmentService::Delete(const Actor& actor, FragmentId id) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    return storage::WithWrite(db_, [&](Transaction& tx) -> Status {
        auto current = Load(tx, id);
        if (!current) return Fail(current.error());
        auto all = LoadSources(tx);
        if (!all) return Fail(all.error());
        std::vector<std::string> users;
        for (const auto& [name, source] : *all) {
            if (name == current->name) continue;
            auto direct = DirectIncludes(source);
            if (std::find(direct.begin(), direct.end(), current->name) != direct.end()) {
                users.push_back(fmt::format("\"{}\"", name));
            }
        }
        if (!users.empty()) {
            return Fail(Error::FailedPrecondition(fmt::format(
                "content fragment \"{}\" is included by {}: remove those includes first",
                current->name, fmt::join(users, ", "))));
        }
        if (auto n = tx.Exec(q::kFragmentDelete, {id.value()}); !n) return Fail(n.error());
        return audit_.Record(tx, actor, "fragment.delete", "fragment", std::to_string(id.value()),
                             {{"name", current->name}});
    });
}

Result<render::FragmentProvider> FragmentService::Provider() const {
    auto all = storage::WithRead(db_, [](Transaction& tx) { return LoadSources(tx); });
    if (!all) return Fail(all.error());
    // Shared: a FragmentProvider is a std::function, which must be copyable, and the copies
    // (one per compile) read the same immutable snapshot.
    auto snapshot = std::make_shared<const SourceMap>(std::move(*all));
    return render::FragmentProvider(
        [snapshot](std::string_view name) -> std::optional<std::string> {
            auto it = snapshot->find(name);
            if (it == snapshot->end()) return std::nullopt;
            return it->second;
        });
}

}  // namespace overture::service
