#include "query/resolve.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "query/lexer.hpp"

namespace overture::query {
namespace {

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::size_t Distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            std::size_t cost = Lower(a[i - 1]) == Lower(b[j - 1]) ? 0 : 1;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
            diagonal = up;
        }
    }
    return row[b.size()];
}

std::string FirstFieldHint(const schema::Resource& r) {
    // Skip the audit fields (id, createdAt, modifiedAt) unless there is nothing else.
    const auto& fields = r.fields;
    if (fields.size() > 3) return fields[3].name;
    return fields.empty() ? "id" : fields.front().name;
}

}  // namespace

std::optional<std::string> Suggest(std::string_view name, const std::vector<std::string>& names) {
    std::size_t limit = name.size() >= 7 ? 3 : 2;
    std::optional<std::string> best;
    std::size_t best_distance = limit + 1;
    for (const auto& candidate : names) {
        std::size_t d = Distance(name, candidate);
        if (d < best_distance) {
            best_distance = d;
            best = candidate;
        }
    }
    return best;
}

Error Resolver::ErrorAt(const Span& at, std::string_view message) const {
    if (at.line == 0) return Error::InvalidArgument(std::string(message));
    Error e = SyntaxError(source_, at, message);
    if (source_.empty()) e.details.erase("excerpt");
    return e;
}

std::optional<schema::ReverseLink> Resolver::FindReverse(const schema::Resource& r,
                                                         std::string_view name) const {
    for (auto& reverse : model_.ReverseLinks(r.name)) {
        if (reverse.name == name) return reverse;
    }
    return std::nullopt;
}

std::string Resolver::Unknown(std::string_view what, std::string_view name,
                              const schema::Resource& r, bool fields, bool links) const {
    std::vector<std::string> names;
    if (fields) {
        for (const auto& f : r.fields) names.push_back(f.name);
    }
    if (links) {
        for (const auto& l : r.links) names.push_back(l.name);
        for (const auto& reverse : model_.ReverseLinks(r.name)) names.push_back(reverse.name);
    }
    std::string message = fmt::format("unknown {} '{}' of {}", what, name, r.name);
    if (auto s = Suggest(name, names)) message += fmt::format("; did you mean '{}'?", *s);
    return message;
}

Result<Resolver::Walk> Resolver::FollowLinks(const schema::Resource& scope, bool root,
                                             const std::vector<std::string>& path,
                                             const Span& at) const {
    Walk walk{&scope, {}};
    std::size_t i = 0;
    if (root && path.size() > 1 && path[0] == scope.name && scope.FindField(path[0]) == nullptr &&
        scope.FindLink(path[0]) == nullptr && !FindReverse(scope, path[0])) {
        i = 1;
    }
    for (; i + 1 < path.size(); ++i) {
        const schema::Resource& r = *walk.resource;
        const std::string& name = path[i];
        const schema::Link* link = r.FindLink(name);
        if (link == nullptr) {
            if (const schema::Field* f = r.FindField(name)) {
                return Fail(ErrorAt(
                    at, fmt::format("{} is a field of {} ({}), not a link; it has "
                                    "no '{}'",
                                    name, r.name, schema::FieldTypeName(f->type), path[i + 1])));
            }
            if (FindReverse(r, name)) {
                return Fail(ErrorAt(
                    at, fmt::format("{} is a 1-N link of {}; its fields can only be reached "
                                    "through 'exists {} where (...)' or an aggregate such as "
                                    "min({}.{})",
                                    name, r.name, name, name, path[i + 1])));
            }
            return Fail(ErrorAt(at, Unknown("link", name, r, false, true)));
        }
        const schema::Resource* target = model_.Find(link->target);
        if (target == nullptr) {
            return Fail(ErrorAt(at, fmt::format("link {}.{} has no target", r.name, name)));
        }
        walk.joins.push_back(Join{&r, link, target});
        walk.resource = target;
    }
    return walk;
}

Result<FieldRef> Resolver::ResolveField(const schema::Resource& scope, bool root,
                                        const std::vector<std::string>& path,
                                        const Span& at) const {
    if (path.empty()) return Fail(ErrorAt(at, "empty field name"));
    auto walk = FollowLinks(scope, root, path, at);
    if (!walk) return Fail(std::move(walk.error()));
    const schema::Resource& r = *walk->resource;
    const std::string& name = path.back();
    if (const schema::Field* f = r.FindField(name)) {
        return FieldRef{std::move(walk->joins), &r, f};
    }
    if (const schema::Link* link = r.FindLink(name)) {
        const schema::Resource* target = model_.Find(link->target);
        std::string hint = target == nullptr ? "id" : FirstFieldHint(*target);
        return Fail(ErrorAt(at, fmt::format("{} is a link of {}, not a value; name one of its "
                                            "fields, such as {}.{}",
                                            name, r.name, JoinPath(path), hint)));
    }
    if (FindReverse(r, name)) {
        return Fail(ErrorAt(at, fmt::format("{} is a 1-N link of {} and not a single value; use "
                                            "'exists {}' or an aggregate such as count({})",
                                            name, r.name, JoinPath(path), JoinPath(path))));
    }
    return Fail(ErrorAt(at, Unknown("field", name, r, true, true)));
}

Result<LinkRef> Resolver::ResolveLink(const schema::Resource& scope, bool root,
                                      const std::vector<std::string>& path, const Span& at) const {
    if (path.empty()) return Fail(ErrorAt(at, "empty link name"));
    auto walk = FollowLinks(scope, root, path, at);
    if (!walk) return Fail(std::move(walk.error()));
    const schema::Resource& r = *walk->resource;
    const std::string& name = path.back();
    if (auto reverse = FindReverse(r, name)) {
        return LinkRef{std::move(walk->joins), name, &r, reverse->source, reverse->link};
    }
    if (r.FindField(name) != nullptr || r.FindLink(name) != nullptr) {
        return Fail(ErrorAt(at, fmt::format("{} is not a 1-N link of {}; exists and aggregates "
                                            "take a link to many records, such as {}",
                                            name, r.name, [&] {
                                                auto all = model_.ReverseLinks(r.name);
                                                return all.empty() ? std::string("(none)")
                                                                   : all.front().name;
                                            }())));
    }
    return Fail(ErrorAt(at, Unknown("1-N link", name, r, false, true)));
}

Result<FieldRef> Resolver::ResolveAggregateField(const LinkRef& link, const std::string& name,
                                                 const Span& at) const {
    const schema::Resource& r = *link.source;
    if (const schema::Field* f = r.FindField(name)) return FieldRef{{}, &r, f};
    return Fail(ErrorAt(at, Unknown("field", name, r, true, false)));
}

Result<Function> Resolver::ResolveFunction(const std::string& name, const Span& at) const {
    if (auto f = FindFunction(name)) return *f;
    std::string message = fmt::format("unknown function '{}'", name);
    if (auto s = Suggest(name, FunctionNames())) message += fmt::format("; did you mean '{}'?", *s);
    return Fail(ErrorAt(at, message));
}

}  // namespace overture::query
