/// Looks up Unicode characters by name, for the `\N{name}` escape of Python string literals.
enum UnicodeNames {
    /// The character whose name or name alias is `name`, compared without regard to case as Python does;
    /// `nil` if there is none.
    ///
    /// Only characters Python 3.11 knows are found (those assigned by Unicode 14.0, the version of its
    /// database). Names come from Swift's Unicode tables: a character's name, its algorithmic name (Hangul
    /// syllables, CJK ideographs) and its correction alias; Python's other aliases (like `NULL` or
    /// `BYTE ORDER MARK`) are not all known here.
    static func scalar(named name: String) -> Unicode.Scalar? {
        let wanted = name.uppercased()
        guard !wanted.isEmpty, wanted.unicodeScalars.allSatisfy({ $0.isASCII }) else { return nil }
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let properties = scalar.properties
            guard properties.generalCategory != .unassigned else { continue }
            if properties.name == wanted || properties.nameAlias == wanted {
                return isKnownToPython311(properties) ? scalar : nil
            }
        }
        return nil
    }

    /// Whether the character was assigned by Unicode 14.0 or earlier.
    private static func isKnownToPython311(_ properties: Unicode.Scalar.Properties) -> Bool {
        guard let age = properties.age else { return false }
        return age.major < 14 || (age.major == 14 && age.minor == 0)
    }
}
