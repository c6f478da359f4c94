#pragma once
// What the query fuzz targets share: the data model they check against (the built-ins plus the
// custom purchase resource, enum and self link of query/testing/dataset.hpp), the invariants
// every tree a front end accepts must keep, and Require(), which aborts with a message so that
// libFuzzer reports the input as a crash.
//
// Thread-safety: libFuzzer calls the targets from one thread; nothing here is meant for more.
#include <string_view>

#include "query/ast.hpp"

namespace overture::fuzz {

// Aborts (a crash for libFuzzer) with `what` and `context` on stderr when `ok` is false.
void Require(bool ok, std::string_view what, std::string_view context = {});

// For a tree a front end accepted: Print -> Parse gives the same tree and the same text again;
// ToJson -> FromJson (also through serialized JSON text) gives the same tree; and when it
// type-checks against the model (as a profile filter), the SQL of both dialects is emitted and
// the evaluator runs on a few in-memory records. `source` is the text it came from ("" for
// JSON).
void CheckAcceptedTree(const query::Expr& expr, std::string_view source);

}  // namespace overture::fuzz
