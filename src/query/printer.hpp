#pragma once
// The canonical text form of an AST: keywords in lower case, strings escaped, the fewest
// parentheses that keep the tree, one space around operators. Parse(Print(e)) == e for every
// tree the front ends build (spans aside). Thread-safety: a pure function; never fails.
#include <string>

#include "query/ast.hpp"

namespace overture::query {

std::string Print(const Expr& expr);

// A string literal in the text form: "a\"b" (escapes \" \\ \n \t, \u00XX for other controls).
std::string QuoteString(std::string_view value);

}  // namespace overture::query
