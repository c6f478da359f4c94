#pragma once
// The JSON front end: the rule tree that the UI builds, mapped to and from the AST
// (format in docs/query-language.md, "JSON form"). FromJson(ToJson(e)) == e for every tree
// the text parser accepts, so text -> AST -> JSON -> AST -> text round trips.
//
// Thread-safety: pure functions.
#include <boost/json.hpp>

#include "common/error.hpp"
#include "query/ast.hpp"

namespace overture::query {

// The canonical JSON of `expr`: a field, call or aggregate left operand is written inline next
// to "op"; any other left operand goes under "left". Never fails.
boost::json::value ToJson(const Expr& expr);

// The AST of a JSON rule tree; nodes get zero spans. and/or groups are flattened and a group
// of one is its item. kInvalidArgument naming the JSON path of the problem ("$.and[2].op: ...",
// also in details "path") on unknown keys, missing keys, wrong types, bad names, and the
// limits of ast.hpp (list length, string length, node depth kMaxTreeDepth).
Result<Expr> FromJson(const boost::json::value& json);

}  // namespace overture::query
