import Foundation

/// libFuzzer's driver (its runtime is linked by `-sanitize=fuzzer`).
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The target the driver calls; set once, before the driver starts.
nonisolated(unsafe) private var fuzzedBody: ([UInt8]) -> Void = { _ in }

/// Hands the command line to libFuzzer, which calls `body` with each input, and exits with its status.
public func runFuzzer(_ body: @escaping ([UInt8]) -> Void) -> Never {
    fuzzedBody = body
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    let status = runFuzzerDriver(&argc, &argv) { start, count in
        fuzzedBody(start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? [])
        return 0
    }
    exit(status)
}
