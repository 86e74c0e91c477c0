import Handover
import Postgres
import Store
import TestSupport
import Testing

/// A superuser who rewrites the audit log behind its triggers is found by `verify`, at the right entry.
@Suite struct AuditTamperingTests {
    /// A database whose audit log holds `count` entries appended the way the functions append them.
    private func log(entries count: Int) throws -> (Connection, AuditLog) {
        let connection = try Connection(try TestDatabase.createMigrated(prefix: "audit"))
        try connection.executeScript(
            """
            DO $$
            BEGIN
                FOR i IN 1..\(count) LOOP
                    PERFORM lawful.append_audit('lookup', i % 7, jsonb_build_object('identifier', '+4670' || i), i % 5,
                                                sha256(convert_to(i::text, 'UTF8')));
                END LOOP;
            END
            $$;
            """)
        return (connection, AuditLog(connection: connection))
    }

    /// Runs `sql` with the audit triggers switched off, as only a superuser can.
    private func behindTheTriggers(_ connection: Connection, _ sql: String) throws {
        try connection.executeScript("BEGIN; SET LOCAL session_replication_role = replica; \(sql); COMMIT")
    }

    @Test func anUntouchedChainOfThousandsOfEntriesVerifies() throws {
        let (_, audit) = try log(entries: 3000)
        let verdict = try audit.verify()
        #expect(verdict.entries == 3000 && verdict.firstBreak == nil)
        #expect(verdict.head?.count == 64)
    }

    @Test func aChangedEntryIsNamed() throws {
        let (connection, audit) = try log(entries: 50)
        try behindTheTriggers(
            connection, "UPDATE lawful.audit SET criteria = '{\"identifier\": \"+46700000000\"}' WHERE seq = 17")
        #expect(
            try audit.verify().firstBreak
                == AuditChain.Break(sequence: 17, reason: "was changed (its contents do not match its hash)"))
    }

    @Test func aChangedEntryWithARecomputedHashBreaksTheNextOne() throws {
        let (connection, audit) = try log(entries: 50)
        try behindTheTriggers(
            connection,
            """
            UPDATE lawful.audit SET records = 99,
                entry_hash = sha256(prev_hash || lawful.audit_canonical(seq, at, login, action, request_id, criteria, 99,
                                                                       result_sha256))
            WHERE seq = 20
            """)
        let broken = try audit.verify().firstBreak
        #expect(broken?.sequence == 21 && broken?.reason.contains("does not follow the entry before it") == true)
    }

    @Test func aDeletedEntryIsNamed() throws {
        let (connection, audit) = try log(entries: 50)
        try behindTheTriggers(connection, "DELETE FROM lawful.audit WHERE seq = 30")
        #expect(try audit.verify().firstBreak?.sequence == 30)
        #expect(try audit.verify().firstBreak?.reason.contains("is missing") == true)
    }

    @Test func anInsertedEntryIsNamed() throws {
        let (connection, audit) = try log(entries: 50)
        try behindTheTriggers(
            connection,
            """
            UPDATE lawful.audit SET seq = seq + 1000000 WHERE seq >= 10;
            UPDATE lawful.audit SET seq = seq - 999999 WHERE seq > 1000000;
            INSERT INTO lawful.audit (seq, at, login, action, request_id, criteria, records, result_sha256, prev_hash, entry_hash)
            SELECT 10, at, login, 'lookup', 1, '{}', 0, NULL, entry_hash, sha256(entry_hash)
            FROM lawful.audit WHERE seq = 9
            """)
        let broken = try audit.verify().firstBreak
        #expect(broken?.sequence == 10 && broken?.reason.contains("was changed") == true)
    }

    @Test func anEntryAppendedByHandIsNamed() throws {
        let (connection, audit) = try log(entries: 5)
        try connection.execute(
            """
            INSERT INTO lawful.audit (seq, at, login, action, request_id, criteria, records, result_sha256, prev_hash, entry_hash)
            SELECT 6, now(), 'intruder', 'lookup', NULL, '{}', 0, NULL, entry_hash, entry_hash FROM lawful.audit WHERE seq = 5
            """)
        #expect(try audit.verify().firstBreak?.sequence == 6)
    }
}
