import Pickle

/// Reads a Python literal into a value, accepting exactly what Python 3.11's `ast.literal_eval` accepts.
///
/// - Numbers: `int` of any size in decimal, `0x`, `0o` and `0b` with `_` separators (decimal ones up to
///   Python's 4300-digit limit); `float` (`1.5`, `.5`, `1e-3`, `1e999` is `inf`); imaginary numbers (`2j`);
///   one unary `+` or `-` on a number; and a real number plus or minus an imaginary one (`1+2j`, `-1.5-0j`).
/// - Strings and bytes with every prefix (`r`, `u`, `b`, `br`, `rb`, any case), quote (`'`, `"`, triple) and
///   escape Python has, and adjacent literals joined (`'a' "b"`); f-strings are refused, as by Python.
/// - `True`, `False`, `None`, `...` (`Ellipsis`, stored as the global `builtins.Ellipsis`).
/// - Tuples (`()`, `(1,)`, and a bare `1, 2` at the top), lists, dicts and sets (`{1, 2}`, and `set()`,
///   which `literal_eval` accepts since Python 3.9), nested, with trailing commas, comments and newlines
///   inside brackets. A dict key or set element that Python cannot hash (a list, dict or set) is an error,
///   as it is in Python; a repeated key keeps its first place and its last value, and a repeated set element
///   (`{1, 1.0, True}`) its first form, as in Python.
///
/// Anything else (names, calls other than `set()`, operators, `--1`, `1+2`) is an error.
enum PythonLiteralParser {
    /// The value of `text`.
    static func value(of text: String) throws(ValueSyntaxError) -> PickleValue {
        var parser = try Parser(text: text.drop(while: { $0 == " " || $0 == "\t" }))
        return try parser.parseTop()
    }

    /// A parsed expression, before `literal_eval`'s rules turn it into a value.
    fileprivate indirect enum Expression {
        case value(PickleValue, offset: Int)
        case number(PythonNumber, offset: Int)
        case signed(negative: Bool, Expression, offset: Int)
        case complexSum(subtract: Bool, Expression, Expression, offset: Int)
        case tuple([Expression])
        case list([Expression])
        case set([Expression])
        case dict([(Expression, Expression)])
    }

    private struct Parser {
        var lexer: PythonLiteralLexer
        var token: PythonLiteralToken = .end
        var tokenOffset = 0

        init(text: Substring) throws(ValueSyntaxError) {
            lexer = PythonLiteralLexer(String(text))
            try advance()
        }

        mutating func advance() throws(ValueSyntaxError) {
            token = try lexer.next()
            tokenOffset = lexer.tokenStart
        }

        func isSymbol(_ symbol: String) -> Bool {
            if case .symbol(let found) = token { return found == symbol }
            return false
        }

        func unexpected() -> ValueSyntaxError {
            let what =
                switch token {
                case .end: "end of the text"
                case .newline: "new line"
                case .name(let name): "'\(name)'"
                case .symbol(let symbol): "'\(symbol)'"
                case .number: "number"
                case .string: "string"
                }
            return ValueSyntaxError("unexpected \(what)", at: tokenOffset)
        }

        mutating func expect(_ symbol: String) throws(ValueSyntaxError) {
            guard isSymbol(symbol) else { throw unexpected() }
            try advance()
        }

        /// The whole text: an expression or a bare tuple, then only newlines.
        mutating func parseTop() throws(ValueSyntaxError) -> PickleValue {
            while case .newline = token { try advance() }
            let first = try parseExpression()
            var expression = first
            if isSymbol(",") {
                var elements = [first]
                while isSymbol(",") {
                    try advance()
                    if case .newline = token { break }
                    if case .end = token { break }
                    elements.append(try parseExpression())
                }
                expression = .tuple(elements)
            }
            while case .newline = token { try advance() }
            guard case .end = token else { throw unexpected() }
            return try evaluate(expression)
        }

        /// A sum: `a`, or `a + b`, `a - b` (only a real number and an imaginary one evaluate).
        mutating func parseExpression() throws(ValueSyntaxError) -> Expression {
            let left = try parseFactor()
            guard isSymbol("+") || isSymbol("-") else { return left }
            let subtract = isSymbol("-")
            let offset = tokenOffset
            try advance()
            let right = try parseFactor()
            if isSymbol("+") || isSymbol("-") {
                throw ValueSyntaxError("only one '+' or '-' may join two numbers", at: tokenOffset)
            }
            return .complexSum(subtract: subtract, left, right, offset: offset)
        }

        /// An atom with at most one sign in front.
        mutating func parseFactor() throws(ValueSyntaxError) -> Expression {
            guard isSymbol("+") || isSymbol("-") else { return try parseAtom() }
            let negative = isSymbol("-")
            let offset = tokenOffset
            try advance()
            if isSymbol("+") || isSymbol("-") || isSymbol("~") {
                throw ValueSyntaxError("only one sign may precede a number", at: tokenOffset)
            }
            return .signed(negative: negative, try parseAtom(), offset: offset)
        }

        mutating func parseAtom() throws(ValueSyntaxError) -> Expression {
            let offset = tokenOffset
            let atom: Expression
            switch token {
            case .number(let number):
                try advance()
                atom = .number(number, offset: offset)
            case .string(let first):
                atom = try parseStrings(first)
            case .name(let name):
                try advance()
                switch name {
                case "True": atom = .value(true, offset: offset)
                case "False": atom = .value(false, offset: offset)
                case "None": atom = .value(.none, offset: offset)
                case "set" where isSymbol("("):
                    try advance()
                    guard isSymbol(")") else {
                        throw ValueSyntaxError("set() takes no arguments in a literal", at: offset)
                    }
                    try advance()
                    atom = .value(.set(PickleSet()), offset: offset)
                default:
                    throw ValueSyntaxError("the name '\(name)' is not a literal", at: offset)
                }
            case .symbol("..."):
                try advance()
                atom = .value(.global(PickleGlobal(module: "builtins", name: "Ellipsis")), offset: offset)
            case .symbol("("):
                atom = try parseParenthesized()
            case .symbol("["):
                try advance()
                atom = .list(try parseElements(closing: "]"))
            case .symbol("{"):
                atom = try parseBraces()
            default:
                throw unexpected()
            }
            if isSymbol("(") || isSymbol("[") || isSymbol(".") {
                throw ValueSyntaxError("a call, subscript or attribute is not a literal", at: tokenOffset)
            }
            return atom
        }

        /// Adjacent string literals, joined.
        mutating func parseStrings(_ first: PythonStringLiteral) throws(ValueSyntaxError) -> Expression {
            let offset = tokenOffset
            var codePoints = first.codePoints
            var formatted = first.isFormatted
            try advance()
            while case .string(let next) = token {
                guard next.isBytes == first.isBytes else {
                    throw ValueSyntaxError("cannot mix bytes and nonbytes literals", at: tokenOffset)
                }
                formatted = formatted || next.isFormatted
                codePoints += next.codePoints
                try advance()
            }
            if formatted { throw ValueSyntaxError("an f-string is not a literal", at: offset) }
            if first.isBytes { return .value(.bytes(codePoints.map { UInt8(truncatingIfNeeded: $0) }), offset: offset) }
            guard let string = PickleValue.pythonString(codePoints: codePoints) else {
                throw ValueSyntaxError("a code point beyond U+10FFFF", at: offset)
            }
            return .value(string, offset: offset)
        }

        /// `()`, `(x)` or a tuple.
        mutating func parseParenthesized() throws(ValueSyntaxError) -> Expression {
            try advance()
            if isSymbol(")") {
                try advance()
                return .tuple([])
            }
            let first = try parseExpression()
            if isSymbol(")") {
                try advance()
                return first
            }
            guard isSymbol(",") else { throw unexpected() }
            try advance()
            var elements = [first]
            elements += try parseElements(closing: ")")
            return .tuple(elements)
        }

        /// Comma-separated expressions up to `closing`, a trailing comma allowed; `closing` is consumed.
        mutating func parseElements(closing: String) throws(ValueSyntaxError) -> [Expression] {
            var elements: [Expression] = []
            while !isSymbol(closing) {
                elements.append(try parseExpression())
                if isSymbol(",") {
                    try advance()
                } else if !isSymbol(closing) {
                    throw unexpected()
                }
            }
            try advance()
            return elements
        }

        /// `{}`, a dict or a set.
        mutating func parseBraces() throws(ValueSyntaxError) -> Expression {
            try advance()
            if isSymbol("}") {
                try advance()
                return .dict([])
            }
            let first = try parseExpression()
            guard isSymbol(":") else {
                guard isSymbol(",") || isSymbol("}") else { throw unexpected() }
                if isSymbol(",") { try advance() }
                return .set([first] + (try parseElements(closing: "}")))
            }
            var pairs: [(Expression, Expression)] = []
            var key = first
            while true {
                try expect(":")
                pairs.append((key, try parseExpression()))
                if !isSymbol("}") {
                    try expect(",")
                }
                if isSymbol("}") {
                    try advance()
                    return .dict(pairs)
                }
                key = try parseExpression()
            }
        }

        // MARK: - literal_eval's rules

        func evaluate(_ expression: Expression) throws(ValueSyntaxError) -> PickleValue {
            switch expression {
            case .value(let value, _): return value
            case .number(let number, _): return Self.value(of: number)
            case .signed(let negative, let operand, let offset):
                guard case .number(let number, _) = operand else {
                    throw ValueSyntaxError(
                        "a sign may only precede a number",
                        at: offset)
                }
                return Self.value(of: number, negative: negative)
            case .complexSum(let subtract, let left, let right, let offset):
                return try complexSum(subtract: subtract, left, right, offset: offset)
            case .tuple(let elements):
                var values: [PickleValue] = []
                values.reserveCapacity(elements.count)
                for element in elements { values.append(try evaluate(element)) }
                return .tuple(values)
            case .list(let elements):
                var values: [PickleValue] = []
                values.reserveCapacity(elements.count)
                for element in elements { values.append(try evaluate(element)) }
                return .list(PickleList(values))
            case .set(let elements):
                let set = PickleSet()
                for element in elements {
                    let value = try evaluate(element)
                    try Self.requireHashable(value, element)
                    _ = set.insert(value)
                }
                return .set(set)
            case .dict(let pairs):
                let dict = PickleDict()
                for (keyExpression, valueExpression) in pairs {
                    let key = try evaluate(keyExpression)
                    try Self.requireHashable(key, keyExpression)
                    _ = dict.updateValue(try evaluate(valueExpression), forKey: key)
                }
                return .dict(dict)
            }
        }

        /// `real ± imaginary`, the only sum `literal_eval` accepts, computed as Python 3.11 does: the real
        /// number becomes `complex(x, 0.0)` and the two complex numbers are added or subtracted.
        func complexSum(subtract: Bool, _ left: Expression, _ right: Expression, offset: Int) throws(ValueSyntaxError)
            -> PickleValue
        {
            let leftNumber: PythonNumber
            switch left {
            case .number(let number, _): leftNumber = number
            case .signed(let negative, .number(let number, _), _):
                switch number {
                case .integer(let integer): leftNumber = .integer(negative ? -integer : integer)
                case .float(let double): leftNumber = .float(negative ? -double : double)
                case .imaginary: leftNumber = number
                }
            default:
                throw ValueSyntaxError(
                    "'+' and '-' may only join a real number and an imaginary number, like 1+2j", at: offset)
            }
            guard case .number(.imaginary(let imaginary), _) = right else {
                throw ValueSyntaxError(
                    "'+' and '-' may only join a real number and an imaginary number, like 1+2j", at: offset)
            }
            let real: Double
            switch leftNumber {
            case .float(let double): real = double
            case .integer(let integer):
                guard let double = Double(integer.description), double.isFinite else {
                    throw ValueSyntaxError("int too large to convert to float", at: offset)
                }
                real = double
            case .imaginary:
                throw ValueSyntaxError(
                    "'+' and '-' may only join a real number and an imaginary number, like 1+2j", at: offset)
            }
            return subtract
                ? .complex(real: real - 0.0, imaginary: 0.0 - imaginary)
                : .complex(real: real + 0.0, imaginary: 0.0 + imaginary)
        }

        /// The value of a number literal, with a sign in front when `negative`. The imaginary literal `2j` is
        /// the complex `0+2j`, so `-2j` is `-0-2j`, as in Python.
        static func value(of number: PythonNumber, negative: Bool = false) -> PickleValue {
            switch number {
            case .integer(let integer): .integer(negative ? -integer : integer)
            case .float(let double): .float(negative ? -double : double)
            case .imaginary(let double):
                negative ? .complex(real: -0.0, imaginary: -double) : .complex(real: 0.0, imaginary: double)
            }
        }

        /// Throws Python's `TypeError` for a dict key or set element that cannot be hashed.
        static func requireHashable(_ value: PickleValue, _ expression: Expression) throws(ValueSyntaxError) {
            if let type = unhashableType(value) {
                throw ValueSyntaxError("unhashable type: '\(type)'", at: offset(of: expression))
            }
        }

        static func unhashableType(_ value: PickleValue) -> String? {
            switch value {
            case .list, .dict, .set, .bytearray: value.pythonTypeName
            case .tuple(let elements): elements.lazy.compactMap(unhashableType).first
            default: nil
            }
        }

        static func offset(of expression: Expression) -> Int {
            switch expression {
            case .value(_, let offset), .number(_, let offset), .signed(_, _, let offset),
                .complexSum(_, _, _, let offset):
                offset
            case .tuple(let elements), .list(let elements), .set(let elements):
                elements.first.map(offset(of:)) ?? 0
            case .dict(let pairs): pairs.first.map { offset(of: $0.0) } ?? 0
            }
        }
    }
}
