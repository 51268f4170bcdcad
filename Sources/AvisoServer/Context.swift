public import AvisoStore
public import Hummingbird

/// The request context of every route: Hummingbird's core storage and, once
/// the bearer token was checked, the staff account acting.
public struct AvisoRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var staff: StaffAccount?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// A request body larger than this is refused with 413 (G10).
    public var maxUploadSize: Int { 1024 * 1024 }
}
