import AsyncHTTPClient
public import AvisoCore
import Foundation
import NIOCore
import NIOHTTP1

/// What went wrong talking to avisod, said so a captain can act on it.
public struct ClientError: Error, CustomStringConvertible {
    public var message: String
    public var problem: Problem?
    public var description: String { message }

    public init(message: String, problem: Problem? = nil) {
        self.message = message
        self.problem = problem
    }
}

/// The staff client's connection to the daemon's HTTP API. Every call is
/// authenticated with the staff member's token, so every action is attributed.
public struct APIClient: Sendable {
    public var baseURL: String
    public var token: String?

    public init(baseURL: String, token: String?) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.token = token
    }

    public func get<T: Decodable>(_ path: String, as type: T.Type = T.self) async throws -> T {
        try await call("GET", path, body: Optional<String>.none)
    }

    public func post<T: Decodable>(_ path: String, _ body: some Encodable, as type: T.Type = T.self) async throws -> T {
        try await call("POST", path, body: body)
    }

    public func patch<T: Decodable>(_ path: String, _ body: some Encodable, as type: T.Type = T.self) async throws -> T {
        try await call("PATCH", path, body: body)
    }

    public func delete<T: Decodable>(_ path: String, as type: T.Type = T.self) async throws -> T {
        try await call("DELETE", path, body: Optional<String>.none)
    }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    /// Percent-encodes one path segment (a case number may hold any character but '/').
    public static func segment(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? value
    }

    /// A POST whose answer has no body (204).
    public func postNoContent(_ path: String) async throws {
        let _: Empty = try await call("POST", path, body: [String: String](), allowEmpty: true)
    }

    /// POSTs `body` to an endpoint that answers 204.
    public func postNoContent(_ path: String, _ body: some Encodable) async throws {
        let _: Empty = try await call("POST", path, body: body, allowEmpty: true)
    }

    struct Empty: Decodable {}

    /// One client for the process. A refused connection fails at once instead
    /// of being retried until the request's deadline: for a command typed
    /// at a prompt, "avisod is not running" is the answer, not a minute's wait.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    func call<T: Decodable>(_ method: String, _ path: String, body: (some Encodable)?, allowEmpty: Bool = false) async throws -> T {
        guard let token, !token.isEmpty else {
            throw ClientError(message: "No API token. Pass --token, set AVISO_TOKEN, or put 'token = …' in ~/.config/aviso/config.")
        }
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try Self.encoder.encode(body)))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await Self.http.execute(request, timeout: .seconds(60))
            bytes = try await response.body.collect(upTo: 256 * 1024 * 1024)
        } catch {
            throw ClientError(
                message: "Cannot reach avisod at \(baseURL) (\(error)). Is the daemon running, and is the address right (--url or AVISO_URL)?")
        }
        let data = Data(bytes.readableBytesView)
        guard (200..<300).contains(Int(response.status.code)) else {
            if let problem = try? Self.decoder.decode(Problem.self, from: data) {
                throw ClientError(message: problem.detail, problem: problem)
            }
            throw ClientError(message: "avisod answered \(response.status.code) \(response.status.reasonPhrase).")
        }
        if allowEmpty && data.isEmpty, let empty = Empty() as? T { return empty }
        do {
            return try Self.decoder.decode(T.self, from: data)
        } catch {
            throw ClientError(message: "avisod's answer could not be read (\(error)). Are the client and the daemon the same version?")
        }
    }
}

/// Where the client finds the daemon and the token: flags, then the
/// environment (AVISO_URL, AVISO_TOKEN), then a `key = value` file
/// (~/.config/aviso/config, or $AVISO_CLIENT_CONFIG).
public struct ClientSettings: Sendable {
    public var url: String
    public var token: String?

    public static func resolve(url: String?, token: String?, tokenFile: String?, environment: [String: String]) throws -> ClientSettings {
        var file: [String: String] = [:]
        let home = environment["HOME"] ?? NSHomeDirectory()
        let path = environment["AVISO_CLIENT_CONFIG"] ?? (environment["XDG_CONFIG_HOME"] ?? home + "/.config") + "/aviso/config"
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                guard let eq = trimmed.firstIndex(of: "=") else {
                    throw ClientError(message: "\(path):\(index + 1): expected 'key = value'.")
                }
                let key = trimmed[..<eq].trimmingCharacters(in: .whitespaces)
                guard ["url", "token", "token_file"].contains(key) else {
                    throw ClientError(message: "\(path):\(index + 1): unknown key '\(key)'; the keys are url, token and token_file.")
                }
                file[key] = trimmed[trimmed.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            }
        }
        var resolvedToken = token ?? environment["AVISO_TOKEN"] ?? file["token"]
        if resolvedToken == nil, let tokenPath = tokenFile ?? environment["AVISO_TOKEN_FILE"] ?? file["token_file"] {
            do {
                resolvedToken = try String(contentsOfFile: tokenPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw ClientError(message: "Cannot read the token file \(tokenPath): \(error.localizedDescription)")
            }
        }
        return ClientSettings(url: url ?? environment["AVISO_URL"] ?? file["url"] ?? "http://127.0.0.1:8750", token: resolvedToken)
    }
}
