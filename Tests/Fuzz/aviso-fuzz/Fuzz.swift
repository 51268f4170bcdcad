// The fuzz targets of Aviso (SPEC §7 G10): built by scripts/fuzz with
// `-sanitize=fuzzer` into one libFuzzer binary; AVISO_FUZZ_TARGET picks the
// target (keywords, webhook, json, template, address, sms, csv). Built normally, it
// only says how to run it.
import AvisoFuzzChecks
import Foundation

#if AVISO_FUZZ
    let target = ProcessInfo.processInfo.environment["AVISO_FUZZ_TARGET"] ?? ""

    /// libFuzzer's driver; SwiftPM names an executable's entry point after its module, so this is it.
    @_silgen_name("LLVMFuzzerRunDriver")
    func runDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// One input, as libFuzzer calls it (its own `main` may be the one linked).
    @_cdecl("LLVMFuzzerTestOneInput")
    func fuzzOne(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        FuzzChecks.run(target, bytes.map { Data(bytes: $0, count: size) } ?? Data())
        return 0
    }

    @_cdecl("aviso_fuzz_main")
    func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var count = argc
        var arguments = argv
        return runDriver(&count, &arguments) { bytes, size in fuzzOne(bytes, size) }
    }
#else
    @main struct AvisoFuzz {
        static func main() {
            print("aviso-fuzz runs under libFuzzer: scripts/fuzz [--seconds N] [target …]. Targets: \(FuzzChecks.targets.joined(separator: ", ")).")
        }
    }
#endif
