import Testing

/// Every end-to-end suite runs inside this one, one test at a time. Each
/// test blocks its thread while it waits on a daemon process or the aviso
/// client; several at once would take every thread of the cooperative pool
/// on a 2-core machine and starve the in-process tests running beside them.
@Suite(.serialized) enum EndToEnd {}
