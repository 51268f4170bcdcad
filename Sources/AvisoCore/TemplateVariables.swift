/// What a template tag may name, per event: the contract of docs/TEMPLATES.md.
public indirect enum TemplateVariable: Sendable, Equatable {
    /// A value printed with `{{name}}`.
    case value
    /// A true/false flag for `{{#name}}…{{/name}}` and `{{^name}}…{{/name}}`.
    case flag
    /// A number printed with `{{name}}`, with one flag per plural category (`name_one`, …).
    case number
    /// A list iterated with `{{#name}}…{{/name}}`; its items have these variables.
    case list([String: TemplateVariable])
}

extension Event {
    /// The variables this event's templates may use, beyond nothing: an
    /// unknown tag is an error at start, naming file and line.
    public var templateVariables: [String: TemplateVariable] {
        var variables: [String: TemplateVariable] = ["department": .value, "contact_phone": .value]
        if isCaseEvent {
            variables["case_number"] = .value
            variables["offense"] = .value
        }
        let hearing: [String: TemplateVariable] = ["date": .value, "time": .value, "place": .value]
        switch self {
        case .chargesFiled:
            variables["charges"] = .list(["count": .number, "offense": .value])
        case .bondHearing, .courtDate, .hearingCancelled:
            variables.merge(hearing) { a, _ in a }
        case .courtDateReminder:
            variables.merge(hearing) { a, _ in a }
            variables["days"] = .number
            variables["tomorrow"] = .flag
        case .courtDateChanged:
            variables.merge(hearing) { a, _ in a }
            variables["previous_date"] = .value
            variables["previous_time"] = .value
        case .released:
            for reason in ReleaseReason.allCases { variables["reason_\(reason.rawValue)"] = .flag }
        case .custom, .staffReply:
            variables["text"] = .value
        default:
            break
        }
        return Self.expandNumbers(variables)
    }

    /// A number `n` also offers `n_zero` … `n_other`.
    static func expandNumbers(_ variables: [String: TemplateVariable]) -> [String: TemplateVariable] {
        var result = variables
        for (name, kind) in variables {
            switch kind {
            case .number:
                for category in PluralCategory.allCases { result["\(name)_\(category.rawValue)"] = .flag }
            case .list(let items):
                result[name] = .list(expandNumbers(items))
            default:
                break
            }
        }
        return result
    }
}

/// Why a suspect was released (`released`).
public enum ReleaseReason: String, Codable, Sendable, CaseIterable {
    case bond
    case pretrial
    case sentenceEnd = "sentence_end"
}
