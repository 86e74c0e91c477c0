import Foundation
import Postgres
import TestSupport
import Testing

/// `kill -9` while a busy Kamailio log (transaction and CDR lines, hundreds of calls in progress
/// at once, so that every commit resumes inside calls already stored) is ingested, then the same
/// command again: each call stored exactly once.
@Suite struct KamailioKillNineTests {
    static let prefix = "Dec  1 12:00:00 sip kamailio[2926]: NOTICE: acc [acc.c:287]: acc_log_request(): "
    static let cdrPrefix = "Dec  1 12:00:00 sip kamailio[2926]: NOTICE: acc [acc_cdr.c:395]: log_write_cdr(): "

    /// The log of `calls` calls, one every 50 ms from `start` (Unix seconds): three in four
    /// answered for 30 s (INVITE, BYE, CDR line), the rest busy (two INVITE lines and a CDR line,
    /// the second after the next call's INVITE, as syslog interleaves Kamailio's processes).
    static func log(calls: Int, start: Int) -> String {
        var lines: [(time: Int, order: Double, text: String)] = []
        for call in 0..<calls {
            let millis = start * 1000 + call * 50
            let id = "kill-\(call)@pbx"
            let parties = ";src_user=0701\(100_000 + call);src_ip=192.0.2.7;dst_user=0812\(100_000 + call)"
            let extras = "; call_id=\(id); caller=0701\(100_000 + call); callee=0812\(100_000 + call)"
            let second = millis / 1000 + 1
            func transaction(_ event: String, _ time: Int, _ method: String, _ code: String) -> String {
                prefix + "ACC: \(event): timestamp=\(time);method=\(method);from_tag=f\(call);to_tag=t\(call);"
                    + "call_id=\(id);code=\(code);reason=x" + parties
            }
            func cdr(_ from: Int, _ to: Int) -> String {
                cdrPrefix
                    + "start_time=\(from / 1000).\(String(format: "%03d", from % 1000)); end_time=\(to / 1000)."
                    + "\(String(format: "%03d", to % 1000)); duration=\(Double(to - from) / 1000)" + extras
            }
            if call % 4 == 3 {
                lines.append((second * 1000, Double(3 * call), transaction("call missed", second, "INVITE", "486")))
                lines.append((second * 1000, Double(3 * call + 1), cdr(millis, millis)))
                lines.append(
                    (
                        second * 1000, Double(3 * call) + 3.5,
                        transaction("transaction answered", second, "INVITE", "486")
                    ))
            } else {
                let end = millis + 31_000
                lines.append(
                    (second * 1000, Double(3 * call), transaction("transaction answered", second, "INVITE", "200")))
                lines.append((end, Double(3 * call + 1), transaction("transaction answered", end / 1000, "BYE", "200")))
                lines.append((end, Double(3 * call + 2), cdr(millis, end)))
            }
        }
        return lines.sorted { ($0.time, $0.order) < ($1.time, $1.order) }.map { $0.text + "\n" }.joined()
    }

    @Test func interruptedIngestsOfABusyLogStoreEachCallOnce() throws {
        let calls = 30_000
        let folder = try TemporaryFolder()
        let conninfo = try TestDatabase.createMigrated(prefix: "kamkill")
        let file = try folder.write(
            "acc.log", Self.log(calls: calls, start: Int(Date().timeIntervalSince1970) - 86_400))
        let ingest = [
            "ingest", "--db", conninfo, "--feed", "sbc", "--format", "kamailio-acc", "--country-code", "46",
            "--batch-size", "1000", file,
        ]
        let connection = try Connection(conninfo)
        let killedWithRowsStored = try CLIRunner.killRepeatedly(
            ingest, delay: 0.3, step: 0.2, total: calls, on: connection)
        #expect(killedWithRowsStored >= 2, "the kills should interrupt ingests that had committed part of the log")
        let last = try CLIRunner.run(ingest)
        #expect(last.status == 0, "final ingest failed: \(last.stderr)")
        let stored = try connection.execute(
            """
            SELECT count(*), count(DISTINCT record_key), count(*) FILTER (WHERE disposition = 'busy'),
                   count(*) FILTER (WHERE disposition = 'answered' AND duration_s = 31)
            FROM cdr.call WHERE feed = 'sbc'
            """)
        #expect(stored.rows == [[String(calls), String(calls), String(calls / 4), String(calls - calls / 4)]])
        #expect(try connection.execute("SELECT count(*) FROM cdr.reject").scalar == "0")
    }
}
