#pragma once
// The resolve pass: binds names of the expression to the data model (schema/model.hpp).
// Internal to query/; the type-check walk (typecheck.hpp) calls it node by node, because the
// scope of a name (the root resource, or the N side of an `exists`/aggregate filter) is only
// known during that walk.
//
// Rules (docs/query-language.md, "Names"):
// - A field path `a.b.c`: every segment but the last is a many-to-one link (Resource::FindLink)
//   followed from the scope's resource; the last is a field of the resource reached.
// - A link path (exists, aggregates): the same, but the last segment is a 1-N (reverse) link
//   of the resource reached (Model::ReverseLinks).
// - In the root scope only, a leading segment equal to the root resource's name
//   (`profile.country` with root profile) is a qualifier and is skipped, unless the root has a
//   field or link of that name. Inside a filter the scope is the N-side resource and there is
//   no way back to the root other than that resource's own links (`purchase.profile`).
// - Names match exactly (case-sensitive). An unknown name is an error with a suggestion (the
//   closest name of the same resource within a small edit distance, case-insensitively).
// - A 1-N link used as a value, or a many-to-one link used as a field, is an error that says
//   what to write instead.
//
// Every error is kInvalidArgument positioned at the node's span (ErrorAt).
// Thread-safety: a Resolver borrows the model and the source; used by one thread.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "query/ast.hpp"
#include "query/checked.hpp"
#include "schema/model.hpp"

namespace overture::query {

class Resolver {
  public:
    // `source`: the text the expression was parsed from, for error excerpts; empty when the
    // tree came from JSON (errors then carry no position when spans are zero).
    Resolver(const schema::Model& model, std::string_view source)
        : model_(model), source_(source) {}

    // A field path in the scope of `scope` (`root`: the scope is the expression's root).
    Result<FieldRef> ResolveField(const schema::Resource& scope, bool root,
                                  const std::vector<std::string>& path, const Span& at) const;
    // A 1-N link path (exists, aggregates) in the scope of `scope`.
    Result<LinkRef> ResolveLink(const schema::Resource& scope, bool root,
                                const std::vector<std::string>& path, const Span& at) const;
    // A field of the N side of an aggregate: `sum(purchases.amount)` -> purchase.amount.
    Result<FieldRef> ResolveAggregateField(const LinkRef& link, const std::string& name,
                                           const Span& at) const;
    // A function of the fixed library, by its exact name.
    Result<Function> ResolveFunction(const std::string& name, const Span& at) const;

    // kInvalidArgument "line L, column C: <message>" with details line/column/offset/excerpt
    // (lexer.hpp SyntaxError) when `at` has a position; just the message for zero spans.
    Error ErrorAt(const Span& at, std::string_view message) const;

  private:
    struct Walk {
        const schema::Resource* resource;
        std::vector<Join> joins;
    };
    // Follows every segment but the last as a many-to-one link.
    Result<Walk> FollowLinks(const schema::Resource& scope, bool root,
                             const std::vector<std::string>& path, const Span& at) const;
    std::optional<schema::ReverseLink> FindReverse(const schema::Resource& r,
                                                   std::string_view name) const;
    std::string Unknown(std::string_view what, std::string_view name, const schema::Resource& r,
                        bool fields, bool links) const;

    const schema::Model& model_;
    std::string_view source_;
};

// The candidate closest to `name` (case-insensitive Levenshtein distance, at most 2, or 3 for
// names of 7+ characters), or nullopt.
std::optional<std::string> Suggest(std::string_view name, const std::vector<std::string>& names);

}  // namespace overture::query
