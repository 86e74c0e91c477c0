import CDRModel

/// Reads a moment typed on the command line, or says plainly what is wrong with it.
enum TimeOption {
    /// Microseconds since the epoch of `text` given for `flag`.
    static func parse(_ text: String, flag: String) throws -> Int64 {
        guard let instant = Instant.parse(text) else {
            throw CLIError(
                "\(flag) '\(text)' is not a date or time; use YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or an offset like +02:00"
            )
        }
        return instant
    }
}

extension TimeOption {
    /// The end (exclusive) of a window typed as `text`: a date alone means the end of that day,
    /// as a decision "to 2026-06-30" includes the 30th.
    static func parseEnd(_ text: String, flag: String) throws -> Int64 {
        let instant = try parse(text, flag: flag)
        return CivilTime.parseDate(text) == nil ? instant : instant + 86_400 * 1_000_000
    }
}
