import Schema
import Testing

@testable import Store

/// Cutting a script into statements: semicolons end one only outside quotes, dollar quotes and comments.
@Suite struct SQLScriptTests {
    @Test func semicolonsInsideBodiesStringsAndCommentsDoNotEndAStatement() {
        let script = """
            -- a comment; with a semicolon
            SET citus.shard_count = 8;
            CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$
            BEGIN
                RAISE NOTICE 'a; b';
            END
            $$;
            DO $body$ BEGIN PERFORM 1; END $body$;
            SELECT 'it''s; here', $1;

            -- trailing comment only
            """
        #expect(
            SQLScript.statements(script) == [
                "-- a comment; with a semicolon\nSET citus.shard_count = 8;",
                "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n    RAISE NOTICE 'a; b';\nEND\n$$;",
                "DO $body$ BEGIN PERFORM 1; END $body$;",
                "SELECT 'it''s; here', $1;",
            ])
    }

    @Test func theCitusFormIsCutIntoWholeStatements() {
        let statements = SQLScript.statements(SchemaFiles.citus)
        #expect(statements.count > 10)
        #expect(statements.allSatisfy { $0.hasSuffix(";") })
        #expect(statements.filter { $0.contains("create_reference_table('") }.count == 6)
        #expect(statements.suffix(2) == ["RESET citus.shard_count;", "SET client_min_messages = warning;"])
    }
}
