public import AvisoCore
public import Foundation

/// JSON in and out of the API. Decoding rejects every field the type does not
/// know (G5): fields are compared with what the decoded value encodes back to,
/// so a misspelled or forbidden field never passes silently.
public enum StrictJSON {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// Field names that suggest immigration data, answered with the policy (SPEC §2.1).
    static let immigrationWords = [
        "immigration", "citizen", "country_of_birth", "birth_country", "birthplace", "place_of_birth", "nationality", "passport",
        "visa", "alien", "a_number", "green_card", "ssn", "social_security", "document_number", "id_number", "residency", "deport",
    ]

    public static func decode<T: Codable>(_ type: T.Type, from data: Data) throws(AvisoError) -> T {
        guard !data.isEmpty else { throw .invalid(nil, "The request needs a JSON body.") }
        let raw: Any
        do {
            raw = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw .invalid(nil, "The body is not valid JSON (\(error.localizedDescription)). Check quotes, commas and braces.")
        }
        // Before anything reads a value: no string anywhere in a body holds
        // NUL or another control character; line breaks are refused later by
        // the fields that are one line.
        try checkText(raw, path: "")
        let value: T
        do {
            value = try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw describe(error)
        } catch let error as AvisoError {
            throw error
        } catch {
            throw .invalid(nil, "The body could not be read: \(error).")
        }
        do {
            let echoed = try JSONSerialization.jsonObject(with: encoder.encode(value), options: [.fragmentsAllowed])
            if let unknown = firstUnknownField(input: raw, known: echoed, path: "") {
                throw unknownField(unknown)
            }
        } catch let error as AvisoError {
            throw error
        } catch {
            throw .invalid(nil, "The body could not be checked: \(error).")
        }
        return value
    }

    /// Refuses a control character other than a line break in any string
    /// of the body, or in a field's name, naming the field (`fields.text.es`).
    static func checkText(_ value: Any, path: String) throws(AvisoError) {
        if let text = value as? String {
            try TextInput.check(text, field: path.isEmpty ? "body" : path, lineBreaks: true)
        } else if let object = value as? [String: Any] {
            for key in object.keys.sorted() {
                if TextInput.firstRefused(key, lineBreaks: false) != nil {
                    let printable = String(String.UnicodeScalarView(key.unicodeScalars.filter { $0.properties.generalCategory != .control }))
                    let field = path.isEmpty ? printable : "\(path).\(printable)"
                    throw .invalid(
                        field, "A field's name contains a control character or a line break ('\(field)' without it). Check the field names.")
                }
                try checkText(object[key]!, path: path.isEmpty ? key : "\(path).\(key)")
            }
        } else if let array = value as? [Any] {
            for (index, element) in array.enumerated() { try checkText(element, path: "\(path)[\(index)]") }
        }
    }

    static func unknownField(_ path: String) -> AvisoError {
        let name = path.split(separator: ".").last.map { String($0).lowercased() } ?? path.lowercased()
        if immigrationWords.contains(where: { name.contains($0) }) {
            return .invalid(
                path,
                "Aviso does not accept the field '\(path)'. Aviso never asks for or stores immigration or citizenship status, country of birth, or identity document numbers. Remove the field and send again."
            )
        }
        return .invalid(
            path,
            "Unknown field '\(path)'. Aviso rejects fields it does not know rather than ignore them; check the spelling against the API documentation."
        )
    }

    /// The path of the first field present in `input` (with a non-null value)
    /// and absent from `known`.
    static func firstUnknownField(input: Any, known: Any, path: String) -> String? {
        if let object = input as? [String: Any] {
            let knownObject = known as? [String: Any] ?? [:]
            for key in object.keys.sorted() {
                guard let value = object[key], !(value is NSNull) else { continue }
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                guard let knownValue = knownObject[key] else { return childPath }
                if let found = firstUnknownField(input: value, known: knownValue, path: childPath) { return found }
            }
        } else if let array = input as? [Any], let knownArray = known as? [Any] {
            for (index, (value, knownValue)) in zip(array, knownArray).enumerated() {
                if let found = firstUnknownField(input: value, known: knownValue, path: "\(path)[\(index)]") { return found }
            }
        }
        return nil
    }

    static func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
        var text = ""
        for key in codingPath + (last.map { [$0] } ?? []) {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    static func describe(_ error: DecodingError) -> AvisoError {
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath, key)
            return .invalid(field, "The field '\(field)' is required.")
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            return .invalid(field, "The field '\(field)' must be \(typeName(type)).")
        case .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return .invalid(field, "The field '\(field)' must be \(typeName(type)), not null.")
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if context.debugDescription.contains("Cannot initialize") {
                return .invalid(field, "The field '\(field)' has a value that is not one of the allowed values.")
            }
            return .invalid(field.isEmpty ? nil : field, field.isEmpty ? context.debugDescription : "'\(field)': \(context.debugDescription)")
        @unknown default:
            return .invalid(nil, "The body could not be read.")
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type: "a whole number"
        case is Double.Type: "a number"
        default: type == [String: Any].self ? "an object" : "\(type)"
        }
    }
}
