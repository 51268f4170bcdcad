/// A tag found in a template, with its line, for checking names before
/// anything is rendered.
struct TemplateTag: Equatable {
    enum Kind: Equatable { case variable, sectionOpen, invertedOpen, sectionClose, comment, pragma, partial, delimiter }
    var kind: Kind
    var name: String
    var line: Int
}

/// Finds the tags of a Mustache template. swift-mustache keeps its tokens
/// private, so the names are checked here, with the same tag grammar.
enum TemplateScanner {
    static func tags(in text: String, firstLine: Int = 1) -> [TemplateTag] {
        var tags: [TemplateTag] = []
        var line = firstLine
        var index = text.startIndex
        while index < text.endIndex {
            guard let open = text[index...].range(of: "{{") else { break }
            line += text[index..<open.lowerBound].reduce(0) { $0 + ($1.isNewline ? 1 : 0) }
            let triple = text[open.upperBound...].hasPrefix("{")
            let closer = triple ? "}}}" : "}}"
            let contentStart = triple ? text.index(after: open.upperBound) : open.upperBound
            guard let close = text[contentStart...].range(of: closer) else { break }
            let content = text[contentStart..<close.lowerBound]
            let tagLine = line
            line += content.reduce(0) { $0 + ($1.isNewline ? 1 : 0) }
            index = close.upperBound
            var body = Substring(content)
            var kind = TemplateTag.Kind.variable
            if !triple, let sigil = body.first {
                switch sigil {
                case "!": kind = .comment
                case "#": kind = .sectionOpen
                case "^": kind = .invertedOpen
                case "/": kind = .sectionClose
                case "%": kind = .pragma
                case ">", "<", "$": kind = .partial
                case "=": kind = .delimiter
                case "&": kind = .variable
                default: break
                }
                if kind != .variable || sigil == "&" { body = body.dropFirst() }
            }
            tags.append(TemplateTag(kind: kind, name: body.trimmingWhitespaceSubstring(), line: tagLine))
        }
        return tags
    }
}

extension Substring {
    func trimmingWhitespaceSubstring() -> String {
        var slice = self
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
