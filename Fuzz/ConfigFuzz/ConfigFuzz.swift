import FuzzDriver
import Server

/// The `serve-config` target: arbitrary bytes as `serve`'s YAML configuration, with its alias and
/// nesting limits; a crash or a sanitizer report is a finding, a refusal is not.
@main enum ConfigFuzz {
    static func main() {
        runFuzzer { bytes in
            _ = try? ServeConfiguration.parse(yaml: String(decoding: bytes, as: UTF8.self), origin: "fuzz.yaml")
        }
    }
}
