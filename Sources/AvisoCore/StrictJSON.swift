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
        // JSON holds no control character but tab, line feed and carriage return between its
        // tokens, and none inside a string; refused here, whatever the parser below would make of it.
        if let offset = data.firstIndex(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) {
            throw .invalid(
                nil,
                "The body is not valid JSON: it holds the control character 0x\(String(format: "%02X", data[offset])) at byte \(offset - data.startIndex). Write control characters in strings as \\u escapes."
            )
        }
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
        if let duplicate = firstDuplicateKey(data) {
            throw .invalid(
                duplicate, "The field '\(duplicate)' appears twice in one object. Send each field once: Aviso does not guess which one you meant.")
        }
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
            // A null is not a free pass (G5: `"immigration_status": null` is still a field Aviso
            // does not take). A null the type did not echo is probed: put a value no field of
            // Aviso's accepts in its place; a field the type knows then fails to decode, one it
            // does not know is ignored by the decoder, and so is unknown.
            for candidate in nullFields(input: raw, known: echoed, path: []) {
                let probe = replacing(raw, at: candidate, with: [[[[["aviso-probe"]]]]])
                let probed = try JSONSerialization.data(withJSONObject: probe, options: [.fragmentsAllowed])
                if (try? decoder.decode(T.self, from: probed)) != nil { throw unknownField(render(candidate)) }
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

    /// One step into a JSON value: a field of an object or an element of an array.
    enum Step {
        case key(String)
        case index(Int)
    }

    static func render(_ steps: [Step]) -> String {
        var text = ""
        for step in steps {
            switch step {
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    /// The fields of `input` whose value is null and which the decoded value did not echo back.
    static func nullFields(input: Any, known: Any, path: [Step]) -> [[Step]] {
        var found: [[Step]] = []
        if let object = input as? [String: Any] {
            let knownObject = known as? [String: Any] ?? [:]
            for key in object.keys.sorted() {
                guard let value = object[key] else { continue }
                if value is NSNull {
                    if knownObject[key] == nil { found.append(path + [.key(key)]) }
                } else if let knownValue = knownObject[key] {
                    found += nullFields(input: value, known: knownValue, path: path + [.key(key)])
                }
            }
        } else if let array = input as? [Any], let knownArray = known as? [Any] {
            for (index, (value, knownValue)) in zip(array, knownArray).enumerated() {
                found += nullFields(input: value, known: knownValue, path: path + [.index(index)])
            }
        }
        return found
    }

    /// `value` with the element at `path` replaced by `replacement`.
    static func replacing(_ value: Any, at path: [Step], with replacement: Any) -> Any {
        guard let first = path.first else { return replacement }
        let rest = Array(path.dropFirst())
        switch first {
        case .key(let key):
            guard var object = value as? [String: Any], let child = object[key] else { return value }
            object[key] = replacing(child, at: rest, with: replacement)
            return object
        case .index(let index):
            guard var array = value as? [Any], array.indices.contains(index) else { return value }
            array[index] = replacing(array[index], at: rest, with: replacement)
            return array
        }
    }

    /// The path of the first field that appears twice in one object of the
    /// raw body (JSONSerialization would silently keep one of them).
    static func firstDuplicateKey(_ data: Data) -> String? {
        let bytes = [UInt8](data)
        var stack: [(keys: Set<String>, isObject: Bool, path: String, expectKey: Bool)] = []
        var lastKey: String?
        var index = 0
        func readString() -> String? {
            // At an opening quote: returns the decoded string and moves past the closing quote.
            let start = index
            index += 1
            var escaped = false
            while index < bytes.count {
                let byte = bytes[index]
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    index += 1
                    let literal = Data(bytes[start..<index])
                    return (try? JSONSerialization.jsonObject(with: literal, options: [.fragmentsAllowed])) as? String
                }
                index += 1
            }
            return nil
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let parentPath = stack.last.map { $0.isObject ? ($0.path.isEmpty ? (lastKey ?? "") : "\($0.path).\(lastKey ?? "")") : $0.path } ?? ""
                stack.append((keys: [], isObject: byte == UInt8(ascii: "{"), path: parentPath, expectKey: byte == UInt8(ascii: "{")))
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                // Unbalanced only in text that is not JSON, which never gets here; stay safe anyway.
                guard !stack.isEmpty else { return nil }
                stack.removeLast()
                index += 1
            case UInt8(ascii: ","):
                if let top = stack.last, top.isObject { stack[stack.count - 1].expectKey = true }
                index += 1
            case UInt8(ascii: "\""):
                guard let text = readString() else { return nil }
                if let top = stack.last, top.isObject, top.expectKey {
                    if top.keys.contains(text) { return top.path.isEmpty ? text : "\(top.path).\(text)" }
                    stack[stack.count - 1].keys.insert(text)
                    stack[stack.count - 1].expectKey = false
                    lastKey = text
                }
            default:
                index += 1
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
