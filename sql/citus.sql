-- cdrstore's distributed form on a Citus coordinator, applied by `cdrstore migrate --citus` after
-- the migrations (and again after any later ones, since a migration may restate a function this
-- file changes). Idempotent; see sql/README.md and the README's "Scaling out on Citus".
--
-- Where each table lives:
--   distributed by record_hash, 8 shards, co-located: cdr.call (still one partition per UTC day)
--     and cdr.preserved_call. record_hash is in every unique key of both, spreads rows evenly
--     whatever the feeds and accounts, and is never NULL (account is, for Asterisk and Kamailio).
--   distributed by identifier, 8 shards: cdr.identifier_day, so that a lookup's day list is read
--     from one shard.
--   reference tables (a copy on every node): cdr.settings, cdr.hold, and billing's tariffs and
--     accounts.
--   local to the coordinator: the lawful schema and its audit chain (a disclosure and its audit
--     entry stay one local transaction), the ingest ledger, rejects, invoices, logs, statistics.
--
-- Citus runs no trigger of a distributed table on the coordinator, so the duties of the triggers
-- on the call tables move into the statements cdrstore itself runs:
--   stats.call_cell (filled per ingest statement on a single node): each day's statistics are
--     rolled up from the day's calls themselves, in the retention transaction that first removes
--     one of them.
--   cdr.removals (bumped on UPDATE, DELETE or TRUNCATE of calls): bumped by the retention steps
--     that remove calls (cdr.forget_identifier_days and the purge of preserved calls).
--   the identifier index's partition triggers: an ingest takes the day it writes to off
--     cdr.indexed_partition (cdr.ensure_partition, as on a single node). A change made with psql
--     straight into an indexed day's calls (by cdrstore_admin, which owns them, or a superuser)
--     is not noticed on Citus.

-- Each statement runs in a transaction of its own (cdrstore migrate sends them one by one):
-- Citus cannot make several reference tables in one transaction on a coordinator that holds
-- copies of them. Every statement can run again, so an interrupted run is finished by the next.
SET citus.shard_count = 8;
-- Restating a function or view kept on the coordinator warns that it stays there, as meant.
SET client_min_messages = error;

-- (Citus refuses even DROP TRIGGER IF EXISTS on a distributed table: only the triggers there are dropped.)
DO $$
DECLARE
    found record;
BEGIN
    FOR found IN
        SELECT t.tgname, t.tgrelid::regclass AS relation FROM pg_trigger AS t
        WHERE NOT t.tgisinternal
          AND t.tgname IN ('call_counted', 'call_removals_noted', 'preserved_call_removals_noted',
                           'indexed_rows_changed', 'indexed_rows_truncated')
          AND (t.tgrelid IN ('cdr.call'::regclass, 'cdr.preserved_call'::regclass)
               OR t.tgrelid IN (SELECT i.inhrelid FROM pg_inherits AS i WHERE i.inhparent = 'cdr.call'::regclass))
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', found.tgname, found.relation);
    END LOOP;
END
$$;

-- Indexing a day lists its partition and puts no trigger on it.
CREATE OR REPLACE FUNCTION cdr.watch_indexed_partition(partition regclass) RETURNS void
    LANGUAGE plpgsql
AS $$
BEGIN
    NULL;
END
$$;

-- Takes `day` off cdr.indexed_partition; there are no triggers to drop.
CREATE OR REPLACE FUNCTION cdr.unwatch_indexed_partition(day date) RETURNS void
    LANGUAGE plpgsql
AS $$
BEGIN
    DELETE FROM cdr.indexed_partition AS p WHERE p.day = unwatch_indexed_partition.day;
END
$$;

-- As in 002_retention.sql, with each pending day's cells counted from its calls; in PL/pgSQL, since
-- Citus cannot plan an SQL function's query on a distributed table with the function's parameters.
CREATE OR REPLACE FUNCTION stats.roll_up_days(first_day date, last_day date)
    RETURNS TABLE (day date, rows_written bigint)
    LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH pending AS (
        SELECT d::date AS day FROM generate_series(first_day, last_day, interval '1 day') AS d
        WHERE NOT EXISTS (SELECT 1 FROM stats.rolled_up_day AS r WHERE r.day = d::date)
    ),
    counted AS MATERIALIZED (
        SELECT (c.start_time AT TIME ZONE 'UTC')::date AS day, c.call_type, c.disposition,
               cdr.calling_code(c.destination) AS destination, count(*) AS calls,
               sum(c.duration_s) AS total_seconds, sum(c.billable_s) AS billable_seconds
        FROM cdr.call AS c
        WHERE c.start_time >= first_day::timestamp AT TIME ZONE 'UTC'
          AND c.start_time < (last_day + 1)::timestamp AT TIME ZONE 'UTC'
        GROUP BY 1, 2, 3, 4
    ),
    cells AS (
        SELECT c.day, c.call_type, c.disposition, 'unknown'::text AS direction, c.destination, sum(c.calls) AS calls,
               sum(c.total_seconds) AS total_seconds, sum(c.billable_seconds) AS billable_seconds
        FROM counted AS c JOIN pending AS p USING (day)
        GROUP BY 1, 2, 3, 4, 5
    ),
    merged AS (
        SELECT day, call_type, disposition, direction, CASE WHEN calls < 5 THEN 'other' ELSE destination END AS destination,
               sum(calls) AS calls, sum(total_seconds) AS total_seconds, sum(billable_seconds) AS billable_seconds
        FROM cells GROUP BY 1, 2, 3, 4, 5
    ),
    safe AS (
        SELECT day, CASE WHEN calls < 5 THEN 'other' ELSE call_type END AS call_type,
               CASE WHEN calls < 5 THEN 'other' ELSE disposition END AS disposition,
               CASE WHEN calls < 5 THEN 'other' ELSE direction END AS direction,
               CASE WHEN calls < 5 THEN 'other' ELSE destination END AS destination,
               calls, total_seconds, billable_seconds
        FROM merged
    ),
    written AS (
        INSERT INTO stats.daily_traffic (day, call_type, disposition, direction, destination, calls, total_seconds,
                                         billable_seconds)
        SELECT day, call_type, disposition, direction, destination, sum(calls), sum(total_seconds), sum(billable_seconds)
        FROM safe GROUP BY 1, 2, 3, 4, 5
        RETURNING day, calls
    ),
    marked AS (
        INSERT INTO stats.rolled_up_day (day, calls)
        SELECT p.day, coalesce((SELECT sum(w.calls) FROM written AS w WHERE w.day = p.day), 0) FROM pending AS p
        RETURNING day
    )
    SELECT m.day, (SELECT count(*) FROM written AS w WHERE w.day = m.day) FROM marked AS m ORDER BY 1;
END
$$;

-- Every function whose body is an SQL-standard `RETURN expression`, restated with the body as a
-- string (`AS $$ SELECT expression $$`): Citus runs the parsed form of such a body as text and fails
-- on it ("syntax error at or near RETURN") when a query on a distributed or reference table calls
-- the function.
DO $$
DECLARE
    found record;
    definition text;
    split integer;
BEGIN
    FOR found IN
        SELECT p.oid FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
        WHERE n.nspname IN ('cdr', 'stats', 'billing', 'lawful') AND p.prosqlbody IS NOT NULL
    LOOP
        definition := pg_get_functiondef(found.oid);
        split := position(E'\nRETURN ' IN definition);
        IF split = 0 THEN
            RAISE EXCEPTION 'function % has an SQL-standard body that is not one RETURN', found.oid::regprocedure;
        END IF;
        EXECUTE left(definition, split) || 'AS $body$ SELECT ' || substr(definition, split + 8) || ' $body$';
    END LOOP;
END
$$;

-- A hold named by a lawful request or an invoice must exist. Citus would turn a table on the
-- coordinator with a foreign key to a reference table into a "Citus local table" (its rows moved
-- to a shard, the table left as a shell whose row type the lawful functions no longer match), so
-- those two foreign keys become a trigger that checks the same.
CREATE OR REPLACE FUNCTION cdr.require_hold() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.hold_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cdr.hold AS h WHERE h.id = NEW.hold_id) THEN
        RAISE EXCEPTION 'hold % does not exist', NEW.hold_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END
$$;
ALTER TABLE lawful.request DROP CONSTRAINT IF EXISTS request_hold_id_fkey;
ALTER TABLE billing.invoice DROP CONSTRAINT IF EXISTS invoice_hold_id_fkey;
CREATE OR REPLACE TRIGGER request_hold_exists BEFORE INSERT OR UPDATE OF hold_id ON lawful.request
    FOR EACH ROW EXECUTE FUNCTION cdr.require_hold();
CREATE OR REPLACE TRIGGER invoice_hold_exists BEFORE INSERT OR UPDATE OF hold_id ON billing.invoice
    FOR EACH ROW EXECUTE FUNCTION cdr.require_hold();

-- The functions the workers run inside pushed-down queries.
SELECT create_distributed_function('cdr.calling_code(text)')
WHERE NOT EXISTS (
    SELECT 1 FROM pg_dist_object WHERE objid = 'cdr.calling_code(text)'::regprocedure);

-- One statement per table. A table with a foreign key to one
-- made before it (tariff rates, account plans) has become a Citus local table meanwhile, which
-- create_reference_table turns into a reference table. The tables with foreign keys to them that
-- stay on the coordinator (invoices, lawful requests) become Citus local tables.
SELECT create_reference_table('cdr.settings')
WHERE NOT EXISTS (SELECT 1 FROM citus_tables WHERE table_name = 'cdr.settings'::regclass AND citus_table_type = 'reference');
SELECT create_reference_table('cdr.hold')
WHERE NOT EXISTS (SELECT 1 FROM citus_tables WHERE table_name = 'cdr.hold'::regclass AND citus_table_type = 'reference');
SELECT create_reference_table('billing.tariff_import')
WHERE NOT EXISTS (SELECT 1 FROM citus_tables WHERE table_name = 'billing.tariff_import'::regclass AND citus_table_type = 'reference');
SELECT create_reference_table('billing.tariff_rate')
WHERE NOT EXISTS (SELECT 1 FROM citus_tables WHERE table_name = 'billing.tariff_rate'::regclass AND citus_table_type = 'reference');
SELECT create_reference_table('billing.account')
WHERE NOT EXISTS (SELECT 1 FROM citus_tables WHERE table_name = 'billing.account'::regclass AND citus_table_type = 'reference');
SELECT create_reference_table('billing.account_plan')
WHERE NOT EXISTS (SELECT 1 FROM citus_tables WHERE table_name = 'billing.account_plan'::regclass AND citus_table_type = 'reference');

SELECT create_distributed_table('cdr.call', 'record_hash')
WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'cdr.call'::regclass);
SELECT create_distributed_table('cdr.preserved_call', 'record_hash', colocate_with => 'cdr.call')
WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'cdr.preserved_call'::regclass);
SELECT create_distributed_table('cdr.identifier_day', 'identifier', colocate_with => 'none')
WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'cdr.identifier_day'::regclass);
-- The daily partitions as in 001_schema.sql, from their shards on the workers (the coordinator
-- holds only the partitions' definitions): the sizes from citus_shards, the planner's row
-- estimates from each worker's catalog.
CREATE OR REPLACE VIEW cdr.partitions AS
WITH shard_sizes AS (
    SELECT s.table_name AS partition_oid, sum(s.shard_size) AS total_bytes
    FROM pg_catalog.citus_shards AS s GROUP BY 1
),
estimates AS (
    SELECT substring(e.relname FROM '^(call_p[0-9]{8})_') AS partition, sum(e.reltuples) AS estimated_rows
    FROM pg_catalog.run_command_on_workers($workers$
        SELECT coalesce(json_agg(json_build_object('relname', relname, 'reltuples', greatest(reltuples, 0))), '[]')
        FROM pg_catalog.pg_class WHERE relname ~ '^call_p[0-9]{8}_[0-9]+$'
    $workers$) AS w
    CROSS JOIN LATERAL json_to_recordset(w.result::json) AS e (relname text, reltuples real)
    WHERE w.success
    GROUP BY 1
)
SELECT
    to_date(substr(c.relname, 7), 'YYYYMMDD') AS day,
    c.relname::text AS partition,
    coalesce(z.total_bytes, 0)::bigint AS total_bytes,
    coalesce(e.estimated_rows, 0)::bigint AS estimated_rows
FROM pg_inherits AS i
JOIN pg_class AS c ON c.oid = i.inhrelid
LEFT JOIN shard_sizes AS z ON z.partition_oid = c.oid
LEFT JOIN estimates AS e ON e.partition = c.relname
WHERE i.inhparent = 'cdr.call'::regclass;

RESET citus.shard_count;
SET client_min_messages = warning;
