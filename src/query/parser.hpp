#pragma once
// The text front end: parses the text form of an expression (grammar in
// docs/query-language.md) into the AST of ast.hpp. Names are not resolved here; any
// identifier path is accepted as a field and any function name as a call.
//
// Thread-safety: a pure function.
#include <string_view>

#include "common/error.hpp"
#include "query/ast.hpp"

namespace overture::query {

// The AST of `text`, every node carrying its source span. On failure kInvalidArgument with the
// message "line L, column C: expected X, found Y" (or a lexical problem at that position) and
// details "line", "column", "offset", "excerpt" (lexer.hpp). Over-limit inputs (kMax* in
// ast.hpp: size, nesting, list length, string length) fail the same way, never crash.
Result<Expr> Parse(std::string_view text);

}  // namespace overture::query
