import Crypto
import Foundation

/// The hash chain of an append-only log (G4). Each row's hash covers the
/// previous row's hash and the row's canonical content; a message body enters
/// as its digest, so bodies can be purged without breaking the chain.
public enum AuditChain {
    /// The `prev_hash` of a log's first row.
    public static let genesis = String(repeating: "0", count: 64)

    /// The SHA-256 of `text`, lowercase hex.
    public static func digest(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).hex
    }

    /// The hash of a row: SHA-256 over the previous hash and the fields in
    /// order, each length-prefixed so no two field lists collide.
    public static func hash(previous: String, fields: [String?]) -> String {
        var hasher = SHA256()
        hasher.update(data: Data(previous.utf8))
        for field in fields {
            guard let field else {
                hasher.update(data: Data("-1:".utf8))
                continue
            }
            let bytes = Data(field.utf8)
            hasher.update(data: Data("\(bytes.count):".utf8))
            hasher.update(data: bytes)
        }
        return hasher.finalize().hex
    }
}

extension Sequence where Element == UInt8 {
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for byte in self {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension SHA256.Digest {
    var hex: String { Array(self).hex }
}

/// API tokens: random, shown once, stored only as their SHA-256.
public enum APIToken {
    /// A new token: `aviso_` and 32 random bytes in hex.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "aviso_" + bytes.hex
    }

    /// What the store keeps of a token.
    public static func hash(_ token: String) -> String {
        AuditChain.digest(token)
    }
}

/// The token in an email's unsubscribe link: 32 random bytes, hex.
public enum UnsubscribeToken {
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }.hex
    }

    /// Whether `text` has the form of a token (so nothing else reaches the database).
    public static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
