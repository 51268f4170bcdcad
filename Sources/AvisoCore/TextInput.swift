/// What a text field may hold. A NUL cuts the text wherever it passes through
/// C (a template engine, SQLite's C strings, a provider's API), so the
/// callback number and the STOP line after it are silently lost; other control
/// characters (ESC, SI, DEL, C1) garble a phone's display or a spreadsheet.
/// They are refused at the door, naming the field, rather than cleaned up.
///
/// ```swift
/// try TextInput.check("KC-2025-004512", field: "number", lineBreaks: false)  // fine
/// try TextInput.check("Before\u{0}After", field: "fields.text.en", lineBreaks: true)
/// // throws .invalid("fields.text.en", "… contains NUL (U+0000) at character 7 …")
/// ```
public enum TextInput {
    /// Throws when `value` holds a control character (Unicode category Cc),
    /// except LF and CR when `lineBreaks` allows them. A field that is one
    /// line (`lineBreaks: false`) also refuses LINE and PARAGRAPH SEPARATOR.
    public static func check(_ value: String, field: String, lineBreaks: Bool) throws(AvisoError) {
        guard let (offset, scalar) = firstRefused(value, lineBreaks: lineBreaks) else { return }
        let position = "at character \(offset + 1)"
        if isLineBreak(scalar) {
            throw .invalid(
                field, "The field '\(field)' is one line, but it contains a line break (\(name(scalar))) \(position). Write it on one line.")
        }
        throw .invalid(
            field,
            "The field '\(field)' contains \(name(scalar)) \(position). Aviso refuses NUL and other control characters, which would cut or garble the text on a victim's phone"
                + (lineBreaks ? " (line breaks are fine)" : "") + ". Remove it and send again.")
    }

    /// The offset (in Unicode scalars) and the scalar of the first character `check` refuses.
    public static func firstRefused(_ value: String, lineBreaks: Bool) -> (Int, Unicode.Scalar)? {
        for (offset, scalar) in value.unicodeScalars.enumerated() {
            if scalar == "\n" || scalar == "\r" {
                if lineBreaks { continue }
                return (offset, scalar)
            }
            if scalar.properties.generalCategory == .control { return (offset, scalar) }
            if !lineBreaks && (scalar == "\u{2028}" || scalar == "\u{2029}") { return (offset, scalar) }
        }
        return nil
    }

    static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        ["\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}"].contains(scalar)
    }

    static let names: [UInt32: String] = [
        0x00: "NUL", 0x09: "TAB", 0x0A: "LINE FEED", 0x0B: "VERTICAL TAB", 0x0C: "FORM FEED", 0x0D: "CARRIAGE RETURN", 0x1B: "ESC",
        0x7F: "DEL", 0x85: "NEXT LINE", 0x2028: "LINE SEPARATOR", 0x2029: "PARAGRAPH SEPARATOR",
    ]

    /// `NUL (U+0000)`, `a control character (U+000F)`.
    static func name(_ scalar: Unicode.Scalar) -> String {
        let code = String(scalar.value, radix: 16, uppercase: true)
        let hex = "U+" + String(repeating: "0", count: max(0, 4 - code.count)) + code
        return names[scalar.value].map { "\($0) (\(hex))" } ?? "a control character (\(hex))"
    }
}
