// Recursive descent, one function per precedence level: or < and < not < predicate < operand.
// The lexer is pulled one token at a time (one token of lookahead), so the first problem in
// reading order is the one reported. `depth_` counts the open levels (parentheses, calls,
// lists, `where`, `not`) and stops at kMaxNesting before the stack can grow far.
#include "query/parser.hpp"

#include <optional>
#include <utility>
#include <vector>

#include "query/lexer.hpp"

namespace overture::query {
namespace {

#define QUERY_TRY(var, expr)                                         \
    auto var##_result = (expr);                                      \
    if (!var##_result) return Fail(std::move(var##_result.error())); \
    auto var = std::move(*var##_result)

#define QUERY_CHECK(expr)                                                  \
    do {                                                                   \
        auto check_result_ = (expr);                                       \
        if (!check_result_) return Fail(std::move(check_result_.error())); \
    } while (false)

class Parser {
  public:
    explicit Parser(std::string_view text) : text_(text), lexer_(text) {}

    Result<Expr> Run() {
        QUERY_CHECK(Advance());
        if (tok_.kind == TokenKind::kEnd) return Fail(Expected("an expression"));
        QUERY_TRY(expr, ParseOr());
        if (tok_.kind != TokenKind::kEnd) {
            return Fail(Expected(tok_.kind == TokenKind::kRParen ? "end of input (unbalanced ')')"
                                                                 : "'and', 'or' or end of input"));
        }
        return expr;
    }

  private:
    Status Advance() {
        prev_end_ = tok_.span.offset + tok_.span.length;
        auto next = lexer_.Next();
        if (!next) return Fail(std::move(next.error()));
        tok_ = std::move(*next);
        return {};
    }

    Span From(const Span& start) const {
        Span s = start;
        s.length = prev_end_ - start.offset;
        return s;
    }

    Error Expected(std::string_view what) const {
        return SyntaxError(text_, tok_.span,
                           "expected " + std::string(what) + ", found " + tok_.Describe());
    }

    Status Expect(TokenKind kind, std::string_view what) {
        if (tok_.kind != kind) return Fail(Expected(what));
        return Advance();
    }

    Status ExpectKeyword(std::string_view word) {
        if (!tok_.Is(word)) return Fail(Expected("'" + std::string(word) + "'"));
        return Advance();
    }

    Status Enter() {
        if (++depth_ > kMaxNesting) {
            return Fail(SyntaxError(text_, tok_.span,
                                    "expression is nested too deeply (more than " +
                                        std::to_string(kMaxNesting) + " levels)")
                            .With("limit", std::to_string(kMaxNesting)));
        }
        return {};
    }

    Result<Expr> ParseOr() {
        QUERY_CHECK(Enter());
        Span start = tok_.span;
        std::vector<Expr> operands;
        QUERY_TRY(first, ParseAnd());
        operands.push_back(std::move(first));
        while (tok_.Is("or")) {
            QUERY_CHECK(Advance());
            QUERY_TRY(next, ParseAnd());
            operands.push_back(std::move(next));
        }
        --depth_;
        return Expr::Or(std::move(operands), From(start));
    }

    Result<Expr> ParseAnd() {
        Span start = tok_.span;
        std::vector<Expr> operands;
        QUERY_TRY(first, ParseNot());
        operands.push_back(std::move(first));
        while (tok_.Is("and")) {
            QUERY_CHECK(Advance());
            QUERY_TRY(next, ParseNot());
            operands.push_back(std::move(next));
        }
        return Expr::And(std::move(operands), From(start));
    }

    Result<Expr> ParseNot() {
        if (!tok_.Is("not")) return ParsePredicate();
        Span start = tok_.span;
        QUERY_CHECK(Enter());
        QUERY_CHECK(Advance());
        if (tok_.kind == TokenKind::kEnd) return Fail(Expected("a condition after 'not'"));
        QUERY_TRY(operand, ParseNot());
        --depth_;
        return Expr::Not(std::move(operand), From(start));
    }

    Result<Expr> ParsePredicate() {
        Span start = tok_.span;
        QUERY_TRY(subject, ParseOperand(""));
        if (tok_.kind == TokenKind::kCompareOp) {
            CompareOp op = tok_.op;
            std::string after = " after '" + std::string(CompareOpText(op)) + "'";
            QUERY_CHECK(Advance());
            QUERY_TRY(right, ParseOperand(after));
            return Expr::Compare(op, std::move(subject), std::move(right), From(start));
        }
        bool negated = false;
        if (tok_.Is("not")) {
            negated = true;
            QUERY_CHECK(Advance());
            if (!tok_.Is("in") && !tok_.Is("like") && !tok_.Is("between")) {
                return Fail(Expected("'in', 'like' or 'between' after 'not'"));
            }
        }
        if (tok_.Is("in")) {
            QUERY_CHECK(Advance());
            if (!negated && (tok_.Is("last") || tok_.Is("next"))) {
                return ParseWindow(std::move(subject), start);
            }
            return ParseInList(std::move(subject), negated, start);
        }
        if (tok_.Is("between")) {
            QUERY_CHECK(Advance());
            QUERY_TRY(low, ParseOperand(" after 'between'"));
            QUERY_CHECK(ExpectKeyword("and"));
            QUERY_TRY(high, ParseOperand(" after 'between ... and'"));
            return Expr::Between(std::move(subject), std::move(low), std::move(high), negated,
                                 From(start));
        }
        if (tok_.Is("like")) {
            QUERY_CHECK(Advance());
            QUERY_TRY(pattern, ParseOperand(" after 'like'"));
            return Expr::Like(std::move(subject), std::move(pattern), negated, From(start));
        }
        if (tok_.Is("is")) {
            QUERY_CHECK(Advance());
            bool is_not = tok_.Is("not");
            if (is_not) QUERY_CHECK(Advance());
            QUERY_CHECK(ExpectKeyword("empty"));
            return Expr::IsEmpty(std::move(subject), is_not, From(start));
        }
        return subject;
    }

    Result<Expr> ParseInList(Expr subject, bool negated, const Span& start) {
        QUERY_CHECK(Expect(TokenKind::kLParen, "'(' after 'in'"));
        QUERY_TRY(values, ParseList("in list"));
        return Expr::In(std::move(subject), std::move(values), negated, From(start));
    }

    // After '(' : expr {',' expr} ')' with at most kMaxListItems items; `allow_empty` for calls.
    Result<std::vector<Expr>> ParseList(std::string_view what, bool allow_empty = false) {
        std::vector<Expr> items;
        if (allow_empty && tok_.kind == TokenKind::kRParen) {
            QUERY_CHECK(Advance());
            return items;
        }
        while (true) {
            if (items.size() == kMaxListItems) {
                return Fail(SyntaxError(text_, tok_.span,
                                        std::string(what) + " has more than " +
                                            std::to_string(kMaxListItems) + " items")
                                .With("limit", std::to_string(kMaxListItems)));
            }
            if (tok_.kind == TokenKind::kRParen || tok_.kind == TokenKind::kComma ||
                tok_.kind == TokenKind::kEnd) {
                return Fail(Expected("a value in the " + std::string(what)));
            }
            QUERY_TRY(item, ParseOr());
            items.push_back(std::move(item));
            if (tok_.kind == TokenKind::kRParen) break;
            if (tok_.kind != TokenKind::kComma) return Fail(Expected("',' or ')'"));
            QUERY_CHECK(Advance());
        }
        QUERY_CHECK(Advance());
        return items;
    }

    Result<Expr> ParseWindow(Expr subject, const Span& start) {
        WindowDirection direction =
            tok_.Is("last") ? WindowDirection::kLast : WindowDirection::kNext;
        QUERY_CHECK(Advance());
        if (tok_.kind != TokenKind::kInteger || tok_.int_value < 1 ||
            tok_.int_value > kMaxWindowAmount) {
            return Fail(Expected("a whole number from 1 to " + std::to_string(kMaxWindowAmount) +
                                 " after '" + std::string(WindowDirectionName(direction)) + "'"));
        }
        std::int64_t amount = tok_.int_value;
        QUERY_CHECK(Advance());
        std::optional<WindowUnit> unit;
        if (tok_.kind == TokenKind::kIdentifier) unit = ParseWindowUnit(tok_.text);
        if (!unit) return Fail(Expected("'days', 'weeks', 'months' or 'years'"));
        QUERY_CHECK(Advance());
        return Expr::Window(std::move(subject), direction, amount, *unit, From(start));
    }

    // name {'.' name}; `path` holds the names already read (then a '.' was just consumed).
    Result<std::vector<std::string>> ParsePath(std::vector<std::string> path = {}) {
        while (true) {
            if (tok_.kind != TokenKind::kIdentifier || IsReservedWord(tok_.text)) {
                return Fail(Expected(path.empty() ? "a field or link name" : "a name after '.'"));
            }
            path.emplace_back(tok_.text);
            QUERY_CHECK(Advance());
            if (tok_.kind != TokenKind::kDot) return path;
            QUERY_CHECK(Advance());
        }
    }

    // `where` in exists: "where" "(" expr ")".
    Result<std::optional<Expr>> ParseExistsWhere() {
        std::optional<Expr> where;
        if (!tok_.Is("where")) return where;
        QUERY_CHECK(Advance());
        QUERY_CHECK(Expect(TokenKind::kLParen, "'(' after 'where'"));
        QUERY_TRY(cond, ParseOr());
        QUERY_CHECK(Expect(TokenKind::kRParen, "')'"));
        where = std::move(cond);
        return where;
    }

    Result<Expr> ParseOperand(const std::string& context) {
        Span start = tok_.span;
        switch (tok_.kind) {
            case TokenKind::kInteger: {
                Expr e = Expr::Integer(tok_.int_value, start);
                QUERY_CHECK(Advance());
                return e;
            }
            case TokenKind::kDecimal: {
                Expr e = Expr::Decimal(tok_.decimal_value, start);
                QUERY_CHECK(Advance());
                return e;
            }
            case TokenKind::kString: {
                Expr e = Expr::String(std::move(tok_.string_value), start);
                QUERY_CHECK(Advance());
                return e;
            }
            case TokenKind::kLParen: {
                QUERY_CHECK(Advance());
                QUERY_TRY(inner, ParseOr());
                QUERY_CHECK(Expect(TokenKind::kRParen, "')'"));
                return inner;
            }
            case TokenKind::kIdentifier:
                break;
            default:
                return Fail(Expected("a value" + context));
        }
        if (tok_.Is("true") || tok_.Is("false") || tok_.Is("null")) {
            Expr e = tok_.Is("null") ? Expr::Null(start) : Expr::Bool(tok_.Is("true"), start);
            QUERY_CHECK(Advance());
            return e;
        }
        if (tok_.Is("exists")) return ParseExists();
        if (IsReservedWord(tok_.text)) return Fail(Expected("a value" + context));
        std::string_view name = tok_.text;
        QUERY_CHECK(Advance());
        if (tok_.kind != TokenKind::kLParen) {
            std::vector<std::string> path{std::string(name)};
            if (tok_.kind == TokenKind::kDot) {
                QUERY_CHECK(Advance());
                QUERY_TRY(full, ParsePath(std::move(path)));
                path = std::move(full);
            }
            return Expr::Field(std::move(path), From(start));
        }
        QUERY_CHECK(Advance());
        if (auto fn = ParseAggregateName(name)) return ParseAggregate(*fn, start);
        QUERY_CHECK(Enter());
        QUERY_TRY(args, ParseList("argument list", /*allow_empty=*/true));
        --depth_;
        return Expr::Call(std::string(name), std::move(args), From(start));
    }

    Result<Expr> ParseExists() {
        Span start = tok_.span;
        QUERY_CHECK(Advance());
        QUERY_TRY(link, ParsePath());
        QUERY_CHECK(Enter());
        QUERY_TRY(where, ParseExistsWhere());
        --depth_;
        return Expr::Exists(std::move(link), std::move(where), From(start));
    }

    // After "count(" etc.: path ["where" expr] ")".
    Result<Expr> ParseAggregate(AggregateFn fn, const Span& start) {
        QUERY_CHECK(Enter());
        Span path_at = tok_.span;
        QUERY_TRY(link, ParsePath());
        std::string field;
        if (fn != AggregateFn::kCount) {
            if (link.size() < 2) {
                return Fail(SyntaxError(text_, path_at,
                                        "expected '<link>.<field>' in " +
                                            std::string(AggregateName(fn)) + "(), found '" +
                                            JoinPath(link) + "'"));
            }
            field = std::move(link.back());
            link.pop_back();
        }
        std::optional<Expr> where;
        if (tok_.Is("where")) {
            QUERY_CHECK(Advance());
            QUERY_TRY(cond, ParseOr());
            where = std::move(cond);
        }
        QUERY_CHECK(Expect(TokenKind::kRParen, where ? "')'" : "'where' or ')'"));
        --depth_;
        return Expr::Aggregate(fn, std::move(link), std::move(field), std::move(where),
                               From(start));
    }

    std::string_view text_;
    Lexer lexer_;
    Token tok_;
    std::size_t prev_end_ = 0;
    int depth_ = 0;
};

}  // namespace

Result<Expr> Parse(std::string_view text) {
    if (text.size() > kMaxInputBytes) {
        return Fail(SyntaxError(text, Span{1, 1, 0, 0},
                                "expression is " + std::to_string(text.size()) +
                                    " bytes; the limit is " + std::to_string(kMaxInputBytes))
                        .With("limit", std::to_string(kMaxInputBytes)));
    }
    return Parser(text).Run();
}

}  // namespace overture::query
