-- cdrstore's group roles and what each may do. Not a migration: `cdrstore roles setup` runs it,
-- and `cdrstore migrate` runs it again once the roles exist, so new tables get their grants.
-- Every statement is idempotent. Run as a superuser (the embedded cluster's `cdrstore` login):
-- it creates roles and gives cdr.call to cdrstore_admin, whose retention runs drop partitions.
-- Logins join a role with `cdrstore grant LOGIN ROLE`; the person is the login (session_user).

-- On a Citus coordinator every grant on a function or table kept on the coordinator warns that it
-- stays there; that is what is meant, so only errors are reported.
SET LOCAL client_min_messages = error;

DO $$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['cdrstore_ingest', 'cdrstore_billing', 'cdrstore_officer', 'cdrstore_auditor',
                                     'cdrstore_admin', 'cdrstore_lawful']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', role_name);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;  -- another database of the cluster created it at the same moment
            END;
        END IF;
    END LOOP;
END
$$;

-- cdrstore_lawful owns the SECURITY DEFINER functions of lawful access: they run with its rights
-- only. Nobody logs in as it or is a member of it.
DO $$
DECLARE
    member text;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cdrstore_lawful'
               AND (rolcanlogin OR rolsuper OR rolcreatedb OR rolcreaterole OR rolbypassrls)) THEN
        ALTER ROLE cdrstore_lawful NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
    FOR member IN SELECT m.rolname FROM pg_auth_members AS a JOIN pg_roles AS m ON m.oid = a.member
                  WHERE a.roleid = 'cdrstore_lawful'::regrole LOOP
        EXECUTE format('REVOKE cdrstore_lawful FROM %I', member);
    END LOOP;
END
$$;

-- True when cdr.call is a Citus distributed table (the catalog is read only where Citus is).
CREATE OR REPLACE FUNCTION cdr.calls_distributed() RETURNS boolean
    LANGUAGE plpgsql STABLE
AS $$
DECLARE
    distributed boolean;
BEGIN
    IF to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
        RETURN false;
    END IF;
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition WHERE logicalrelid = ''cdr.call''::regclass)'
        INTO distributed;
    RETURN distributed;
END
$$;

-- Grants `role` SELECT on these columns of cdr.call. In the Citus form (sql/citus.sql), where Citus
-- does not pass column grants on, the grant is made on the coordinator's cdr.call (which the
-- coordinator checks before it sends a query on); cdr.copy_call_column_grants then makes it on
-- each of its shards on the workers (which each worker checks for the part it runs).
CREATE OR REPLACE FUNCTION cdr.grant_call_columns(role text, columns text) RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    propagation text;
BEGIN
    IF NOT cdr.calls_distributed() THEN
        EXECUTE format('GRANT SELECT (%s) ON cdr.call TO %I', columns, role);
        RETURN;
    END IF;
    -- Off for this grant only: the rest of the transaction's grants must reach the workers.
    propagation := current_setting('citus.enable_ddl_propagation');
    PERFORM set_config('citus.enable_ddl_propagation', 'off', true);
    EXECUTE format('GRANT SELECT (%s) ON cdr.call TO %I', columns, role);
    PERFORM set_config('citus.enable_ddl_propagation', propagation, true);
END
$$;

-- On Citus: gives every shard of cdr.call the column grants the coordinator's cdr.call has.
-- `cdrstore roles setup` calls it once this file's transaction has committed: Citus reaches the
-- shards through connections of its own, where a role created in that transaction does not exist.
CREATE OR REPLACE FUNCTION cdr.copy_call_column_grants() RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    granted record;
    failure text;
BEGIN
    FOR granted IN
        SELECT pg_get_userbyid(a.grantee) AS role, string_agg(quote_ident(c.attname), ', ' ORDER BY c.attnum) AS columns
        FROM pg_attribute AS c CROSS JOIN LATERAL aclexplode(c.attacl) AS a
        WHERE c.attrelid = 'cdr.call'::regclass AND c.attnum > 0 AND a.privilege_type = 'SELECT'
        GROUP BY a.grantee
    LOOP
        EXECUTE 'SELECT string_agg(result, ''; '') FROM run_command_on_shards(''cdr.call'', $1) WHERE NOT success'
            INTO failure USING format('GRANT SELECT (%s) ON %%s TO %I', granted.columns, granted.role);
        IF failure IS NOT NULL THEN
            RAISE EXCEPTION 'cannot give % its columns of cdr.call on every shard: %', granted.role, failure;
        END IF;
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION cdr.grant_call_columns(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION cdr.copy_call_column_grants() FROM PUBLIC;
REVOKE ALL ON FUNCTION cdr.calls_distributed() FROM PUBLIC;

-- Everyone may see which schema version this is (cdrstore checks it before any work).
GRANT USAGE ON SCHEMA cdr TO cdrstore_ingest, cdrstore_billing, cdrstore_officer, cdrstore_auditor, cdrstore_admin;
GRANT SELECT ON cdr.schema_migration TO cdrstore_ingest, cdrstore_billing, cdrstore_officer, cdrstore_auditor,
    cdrstore_admin;

-- cdrstore_ingest: writes calls and rejects and keeps its ledger. It reads only what telling a
-- duplicate apart needs (feed, record hash, start time) and the retention window.
GRANT INSERT ON cdr.call, cdr.reject TO cdrstore_ingest;
SELECT cdr.grant_call_columns('cdrstore_ingest', 'feed, record_hash, start_time');
GRANT SELECT, INSERT, UPDATE ON cdr.ingest_ledger TO cdrstore_ingest;
GRANT SELECT ON cdr.settings TO cdrstore_ingest;
GRANT EXECUTE ON FUNCTION cdr.ensure_partition(date) TO cdrstore_ingest, cdrstore_admin;

-- cdrstore_billing: what rating needs of a call (account, times, durations, destination, outcome),
-- the billing schema, and billing holds only (row-level security hides legal holds).
GRANT USAGE ON SCHEMA billing TO cdrstore_billing, cdrstore_admin;
SELECT cdr.grant_call_columns(
    'cdrstore_billing', 'start_time, answer_time, end_time, duration_s, billable_s, destination, disposition, call_type, account');
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA billing TO cdrstore_billing;
GRANT SELECT, INSERT, UPDATE ON cdr.hold TO cdrstore_billing;
ALTER TABLE cdr.hold ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS hold_billing ON cdr.hold;
CREATE POLICY hold_billing ON cdr.hold TO cdrstore_billing USING (kind = 'billing') WITH CHECK (kind = 'billing');
DROP POLICY IF EXISTS hold_admin ON cdr.hold;
CREATE POLICY hold_admin ON cdr.hold TO cdrstore_admin USING (true) WITH CHECK (true);

-- cdrstore_officer: no table of call data at all. Requests are readable; everything else goes
-- through the SECURITY DEFINER functions: a lookup writes its audit entry and returns its number,
-- lawful.disclose hands out the calls once that entry is committed.
GRANT USAGE ON SCHEMA lawful TO cdrstore_officer, cdrstore_auditor, cdrstore_admin;
GRANT SELECT ON lawful.request TO cdrstore_officer, cdrstore_auditor;
GRANT EXECUTE ON FUNCTION
    lawful.create_request(text, text, text, text, text, text, text[], timestamptz, timestamptz, timestamptz),
    lawful.approve_request(bigint), lawful.close_request(bigint), lawful.preserve(bigint, timestamptz),
    lawful.lookup(bigint, text, timestamptz, timestamptz), lawful.record_export(bigint, text, text, bytea)
    TO cdrstore_officer;
GRANT EXECUTE ON FUNCTION lawful.disclose(bigint) TO cdrstore_officer, cdrstore_admin;
-- An officer's open transaction holds the audit log's append lock: it ends 5 s after it goes idle.
DO $$
DECLARE
    member text;
BEGIN
    FOR member IN SELECT m.rolname FROM pg_auth_members AS a JOIN pg_roles AS m ON m.oid = a.member
                  WHERE a.roleid = 'cdrstore_officer'::regrole AND m.rolcanlogin
                    AND NOT EXISTS (SELECT 1 FROM pg_db_role_setting AS d
                                    WHERE d.setrole = m.oid AND d.setdatabase = 0
                                      AND 'idle_in_transaction_session_timeout=5s' = ANY (d.setconfig)) LOOP
        EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', member, '5s');
    END LOOP;
END
$$;

-- cdrstore_auditor: reads the audit log (and the requests it names), no call data.
GRANT SELECT ON lawful.audit TO cdrstore_auditor;

-- cdrstore_admin: schema operations, retention, holds, statistics, billing set-up and subject
-- exports. Nothing on lawful.audit: it can neither read nor rewrite the log (and the log's
-- triggers refuse UPDATE, DELETE and TRUNCATE from anyone).
GRANT USAGE ON SCHEMA stats TO cdrstore_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA cdr, stats, billing TO cdrstore_admin;
GRANT EXECUTE ON FUNCTION lawful.subject_export(text) TO cdrstore_admin;
-- Retention drops whole daily partitions, which only their owner may: cdrstore_admin owns
-- cdr.call and its partitions, and new partitions are created in its name.
GRANT CREATE ON SCHEMA cdr TO cdrstore_admin;
ALTER TABLE cdr.call OWNER TO cdrstore_admin;
DO $$
DECLARE
    partition regclass;
BEGIN
    FOR partition IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'cdr.call'::regclass LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO cdrstore_admin', partition);
        -- Lookups (running as cdrstore_lawful) read a day's partition by name.
        EXECUTE format('GRANT SELECT ON %s TO cdrstore_lawful', partition);
    END LOOP;
END
$$;
ALTER FUNCTION cdr.ensure_partition(date) OWNER TO cdrstore_admin;
-- Indexing a day (a retention run) puts on its partition the trigger that notes changes to it.
GRANT EXECUTE ON FUNCTION cdr.forget_indexed_partition(), cdr.unwatch_indexed_partition(date) TO cdrstore_admin;

-- What the lawful-access functions, running as cdrstore_lawful, read and write: requests, the
-- audit log (append only), calls live and preserved, and holds (quick freeze, release on close).
GRANT USAGE ON SCHEMA cdr, lawful TO cdrstore_lawful;
GRANT SELECT, INSERT, UPDATE ON lawful.request TO cdrstore_lawful;
-- UPDATE only because appending takes LOCK TABLE ... SHARE ROW EXCLUSIVE, which asks for it; the
-- log's trigger refuses every UPDATE.
GRANT SELECT, INSERT, UPDATE ON lawful.audit TO cdrstore_lawful;
GRANT SELECT ON cdr.call, cdr.preserved_call, cdr.identifier_day, cdr.indexed_partition, cdr.unindexed_partition,
    cdr.removals TO cdrstore_lawful;
-- The results of lookups between their two steps: only these functions read them.
GRANT SELECT, INSERT, DELETE ON lawful.held_result TO cdrstore_lawful;
GRANT SELECT, INSERT, UPDATE ON cdr.hold TO cdrstore_lawful;
DROP POLICY IF EXISTS hold_lawful ON cdr.hold;
CREATE POLICY hold_lawful ON cdr.hold TO cdrstore_lawful USING (kind = 'legal') WITH CHECK (kind = 'legal');
DO $$
DECLARE
    definer regprocedure;
BEGIN
    FOR definer IN SELECT p.oid::regprocedure FROM pg_proc AS p
                   WHERE p.pronamespace = 'lawful'::regnamespace AND p.prosecdef LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO cdrstore_lawful', definer);
    END LOOP;
END
$$;

-- In the distributed form (sql/citus.sql), Citus opens its connections to the workers as the role
-- a statement runs as, also inside the SECURITY DEFINER functions that cdrstore_admin and
-- cdrstore_lawful own (a new day's partition, a lookup). Those two roles may therefore log in on
-- the workers, never on the coordinator: each worker's pg_hba.conf must accept them from the
-- coordinator's address only (see the README's "Scaling out on Citus"). `cdrstore roles setup`
-- lets them log in there once this file's transaction has committed (run_command_on_workers inside
-- it, where the roles are created, did not last).
