#pragma once
// Template text -> compiled tree (ast.hpp). Internal to render/; Compile() in template.hpp
// is the public entry. One pass over the segments of lexer.hpp with a recursive descent for
// blocks and expressions; names are resolved to slots as they are met (a name assigned later
// in the text is still a variable: assigns are global, as in Liquid), fragments are compiled
// in place of their `include`, and after the pass the names never assigned are checked
// (strict) or bound to nil (lenient).
#include <memory>
#include <string_view>

#include "common/error.hpp"
#include "render/ast.hpp"

namespace overture::render {

Result<std::unique_ptr<Template::Impl>> Parse(std::string_view source,
                                              const CompileOptions& options);

}  // namespace overture::render
