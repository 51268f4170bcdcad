public import AvisoStore
public import Hummingbird

/// The request context of every route: Hummingbird's core storage and, once
/// the bearer token was checked, the staff account acting.
public struct AvisoRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var staff: StaffAccount?
    /// The peer's IP address as the socket reports it (nil in-process, in tests).
    public var peerAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The client's address for lockouts and the access log: the socket's
    /// peer, or with `http.trust_forwarded_for` the last `X-Forwarded-For`
    /// entry (the one the proxy in front of Aviso added).
    public func clientAddress(_ request: Request, trustForwardedFor: Bool) -> String {
        if trustForwardedFor, let forwarded = request.headers[.init("X-Forwarded-For")!],
            let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty, last.count <= 64
        {
            return last
        }
        return peerAddress ?? "unknown"
    }

    /// A request body larger than this is refused with 413 (G10).
    public var maxUploadSize: Int { 1024 * 1024 }
}
