-- cdrstore schema 9: a day counts as indexed only while nothing has changed in its partition
-- since cdr.index_day listed its identifiers, and noting a change costs ingest nothing on the
-- days that are not indexed, which is where ingest writes (today's and the days ahead).
--
-- Until now cdr.unindexed_day listed the days with calls stored since their indexing, kept by a
-- statement trigger on cdr.call that read every inserted row back from a transition table: 5 to
-- 16 % of ingest speed on every batch (Benchmarks/lookup-latency.sh), and blind to what does not
-- insert through cdr.call: an UPDATE of a call's parties (a DBA's correction), an INSERT or COPY
-- straight into a day's partition, a DELETE. A lookup would then miss a call whose new number the
-- index did not list.
--
-- Now cdr.indexed_partition lists the partitions whose calls cdr.identifier_day lists completely
-- (by oid: a partition dropped and made again is a new one), and cdr.index_day puts two triggers
-- on each partition it lists: any INSERT, UPDATE, DELETE or TRUNCATE of that partition's rows,
-- through cdr.call or not and whoever runs it, takes the partition off the list in the same
-- transaction. Every other partition is unindexed, and a lookup searches it in full; the next
-- `cdrstore partitions index` (or retention run) indexes it again, so pairs of deleted calls do
-- not outlive them either.

CREATE TABLE cdr.indexed_partition (
    day        date PRIMARY KEY,
    partition  oid NOT NULL UNIQUE,
    indexed_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE cdr.indexed_partition IS
    'Partitions of cdr.call whose identifiers cdr.identifier_day lists completely; a change to one takes it off';

-- Takes the partition the trigger fired on off cdr.indexed_partition. As a row trigger it runs
-- once per row stored into, changed in or deleted from an indexed partition (late calls, a
-- correction, retention trimming the day of its cutoff); the first run removes the entry and the
-- rest find none. Every name in it is qualified instead of a `SET search_path` clause, which
-- would cost each row a configuration change and its undoing (a third of the trigger's cost).
CREATE FUNCTION cdr.forget_indexed_partition() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
AS $$
BEGIN
    DELETE FROM cdr.indexed_partition AS p WHERE p.partition OPERATOR(pg_catalog.=) TG_RELID;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION cdr.forget_indexed_partition() FROM PUBLIC;

-- The partitions of cdr.call not listed as indexed, with their day (NULL for a partition not
-- named as cdrstore names them, which a lookup then searches whatever its window). The OFFSET 0
-- fences keep a caller's condition on the day above the anti-join, so that only the few
-- unindexed partitions' names are read and parsed, not every table's of pg_class (20 ms).
CREATE VIEW cdr.unindexed_partition AS
SELECT CASE WHEN n.name ~ '^call_p[0-9]{8}$' THEN to_date(substr(n.name, 7), 'YYYYMMDD') END AS day,
       n.name AS partition
FROM (SELECT (SELECT c.relname::text FROM pg_class AS c WHERE c.oid = u.relid) AS name
      FROM (SELECT i.inhrelid AS relid
            FROM pg_inherits AS i
            WHERE i.inhparent = 'cdr.call'::regclass
              AND NOT EXISTS (SELECT 1 FROM cdr.indexed_partition AS x WHERE x.partition = i.inhrelid)
            OFFSET 0) AS u
      OFFSET 0) AS n;
COMMENT ON VIEW cdr.unindexed_partition IS
    'Partitions whose identifiers cdr.identifier_day does not (or no longer) list completely; lookups search them in full';

-- Puts the two triggers that take `partition` off cdr.indexed_partition when its rows change.
CREATE FUNCTION cdr.watch_indexed_partition(partition regclass) RETURNS void
    LANGUAGE plpgsql
AS $$
BEGIN
    EXECUTE format('CREATE OR REPLACE TRIGGER indexed_rows_changed AFTER INSERT OR UPDATE OR DELETE ON %s '
                   'FOR EACH ROW EXECUTE FUNCTION cdr.forget_indexed_partition()', partition);
    EXECUTE format('CREATE OR REPLACE TRIGGER indexed_rows_truncated AFTER TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION cdr.forget_indexed_partition()', partition);
END
$$;

-- Takes `day`'s partition off cdr.indexed_partition and removes its two triggers, in one
-- transaction, so that calls stored into it afterwards run no trigger per row. Dropping a trigger
-- needs the partition to itself for a moment; when it cannot have it within 2 s (a long read of
-- that day), nothing changes: the day stays indexed and its triggers take it off with the first
-- call stored.
CREATE FUNCTION cdr.unwatch_indexed_partition(day date) RETURNS void
    LANGUAGE plpgsql SET lock_timeout = '2s'
AS $$
DECLARE
    partition regclass := to_regclass(format('cdr.%I', cdr.partition_name(day)));
BEGIN
    DELETE FROM cdr.indexed_partition AS p WHERE p.day = unwatch_indexed_partition.day;
    IF partition IS NOT NULL THEN
        EXECUTE format('DROP TRIGGER IF EXISTS indexed_rows_changed ON %s', partition);
        EXECUTE format('DROP TRIGGER IF EXISTS indexed_rows_truncated ON %s', partition);
    END IF;
EXCEPTION WHEN lock_not_available THEN
    NULL;
END
$$;
REVOKE ALL ON FUNCTION cdr.unwatch_indexed_partition(date) FROM PUBLIC;

-- As in 007_identifier_days.sql, and an indexed day is first taken off cdr.indexed_partition with
-- its triggers: an ingest calls this once for each day before it writes the day's first batch, so
-- a file of yesterday's calls ingested after yesterday was indexed costs one statement, not a
-- trigger run per call (0.69 of ingest speed; Benchmarks/ingest-vs-copy.sh). Whatever else
-- stores into an indexed day (psql, or an ingest that has called this already and meets the
-- day indexed again) runs the triggers.
CREATE OR REPLACE FUNCTION cdr.ensure_partition(day date) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    partition text := cdr.partition_name(day);
BEGIN
    IF EXISTS (SELECT 1 FROM cdr.indexed_partition AS p WHERE p.day = ensure_partition.day) THEN
        PERFORM cdr.unwatch_indexed_partition(day);
    END IF;
    IF to_regclass(format('cdr.%I', partition)) IS NOT NULL THEN
        RETURN false;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('cdrstore'), hashtext('partition'));
    IF to_regclass(format('cdr.%I', partition)) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format(
        'CREATE TABLE cdr.%I PARTITION OF cdr.call FOR VALUES FROM (%L) TO (%L)',
        partition,
        day::timestamp AT TIME ZONE 'UTC',
        (day + 1)::timestamp AT TIME ZONE 'UTC');
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cdrstore_lawful') THEN
        EXECUTE format('GRANT SELECT ON cdr.%I TO cdrstore_lawful', partition);
    END IF;
    RETURN true;
END
$$;

-- As in 008_held_results.sql, listing the partition as indexed instead of taking the day off
-- cdr.unindexed_day. Its SHARE ROW EXCLUSIVE lock (which CREATE TRIGGER needs) lets lookups read
-- the partition meanwhile and makes a call stored into that day wait until the day is indexed;
-- the call's own trigger then takes the partition off the list again.
CREATE OR REPLACE FUNCTION cdr.index_day(day date) RETURNS bigint
    LANGUAGE plpgsql
AS $function$
DECLARE
    partition regclass := to_regclass(format('cdr.%I', cdr.partition_name(day)));
    pairs bigint := 0;
BEGIN
    DELETE FROM cdr.identifier_day AS d WHERE d.day = index_day.day;
    DELETE FROM cdr.indexed_partition AS p WHERE p.day = index_day.day;
    IF partition IS NOT NULL THEN
        EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', partition);
        PERFORM cdr.watch_indexed_partition(partition);
        -- A statement after the lock, so that its snapshot holds every call committed before it.
        EXECUTE format($query$
            INSERT INTO cdr.identifier_day (day, identifier, roles)
            SELECT %L::date, k.identifier, bit_or(k.role)::smallint
            FROM %s AS c
            CROSS JOIN LATERAL unnest(cdr.call_identifiers(c.source, c.destination, c.source_ip),
                                      ARRAY[1, 2, 4]) AS k (identifier, role)
            WHERE k.identifier IS NOT NULL
            GROUP BY k.identifier
            ORDER BY 2
            $query$, day, partition);
        GET DIAGNOSTICS pairs = ROW_COUNT;
        INSERT INTO cdr.indexed_partition (day, partition) VALUES (index_day.day, partition);
    END IF;
    RETURN pairs;
END
$function$;

-- As in 008_held_results.sql: the pairs of every day the range touches go; a day the range
-- touches is no longer indexed (the day of the cutoff keeps calls outside it and is searched in
-- full until it is indexed again; a day wholly inside loses its partition).
CREATE OR REPLACE FUNCTION cdr.forget_identifier_days(from_time timestamptz, to_time timestamptz) RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    first_day date := (from_time AT TIME ZONE 'UTC')::date;
    last_day date := ((to_time - interval '1 microsecond') AT TIME ZONE 'UTC')::date;
BEGIN
    UPDATE cdr.removals SET count = count + 1;
    DELETE FROM cdr.identifier_day AS d WHERE d.day BETWEEN first_day AND last_day;
    DELETE FROM cdr.indexed_partition AS p WHERE p.day BETWEEN first_day AND last_day;
END
$$;

-- As in 008_held_results.sql, the unindexed days being the partitions cdr.indexed_partition does
-- not list (searched in all three columns).
CREATE OR REPLACE FUNCTION lawful.calls_of(identifier text, from_time timestamptz, to_time timestamptz,
                                           with_preserved boolean)
    RETURNS lawful.disclosed_call[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    address inet := CASE WHEN lawful.is_address(identifier) THEN identifier::inet END;
    keys text[] := lawful.identifier_keys(identifier);
    from_day date := (from_time AT TIME ZONE 'UTC')::date;
    to_day date := (to_time AT TIME ZONE 'UTC')::date;
    live_branches text;
    found lawful.disclosed_call[];
BEGIN
    -- One statement, so one snapshot: a day being indexed meanwhile is seen either before
    -- (unindexed) or after (indexed), never in between. One branch per partition, by name: the
    -- planner opens and plans just those tables.
    SELECT coalesce(string_agg(format($branch$
            SELECT start_time, answer_time, end_time, duration_s, source, destination, source_ip, call_type,
                   disposition, equipment, account, feed, record_key, record_hash, 'live'::text AS stored
            FROM cdr.%I
            WHERE start_time >= $1 AND start_time < $2 AND %s
            UNION ALL$branch$, p.name, lawful.identifier_condition(p.roles)), ''), '')
    INTO live_branches
    FROM (SELECT w.name, bit_or(w.roles) AS roles
          FROM (SELECT cdr.partition_name(d.day) AS name, d.roles::integer AS roles FROM cdr.identifier_day AS d
                WHERE d.identifier = ANY (keys) AND d.day BETWEEN from_day AND to_day
                UNION ALL
                SELECT u.partition, 7 FROM cdr.unindexed_partition AS u
                WHERE u.day BETWEEN from_day AND to_day OR u.day IS NULL) AS w
          GROUP BY w.name) AS p
    WHERE to_regclass(format('cdr.%I', p.name)) IS NOT NULL;
    IF live_branches = '' AND NOT with_preserved THEN
        RETURN '{}';
    END IF;
    -- A call both live and preserved (its day not dropped yet) counts once, as live. Deduplicating
    -- here rather than with NOT EXISTS against cdr.call keeps the planner to the days' partitions.
    EXECUTE format($query$
        WITH found_anywhere AS (%1$s
            SELECT start_time, answer_time, end_time, duration_s, source, destination, source_ip, call_type,
                   disposition, equipment, account, feed, record_key, record_hash, 'preserved'::text AS stored
            FROM cdr.preserved_call
            WHERE $5 AND start_time >= $1 AND start_time < $2
              AND (source = $3 OR destination = $3 OR source_ip = $4)
        ),
        matched AS (
            SELECT DISTINCT ON (f.feed, f.record_hash, f.start_time) f.*
            FROM found_anywhere AS f
            ORDER BY f.feed, f.record_hash, f.start_time, f.stored = 'preserved'
        )
        SELECT array_agg(ROW(
                   m.n::integer, lawful.utc(m.start_time), lawful.utc(m.answer_time), lawful.utc(m.end_time),
                   m.duration_s, m.source, m.destination, host(m.source_ip), m.call_type, m.disposition, m.equipment,
                   m.account, m.feed, m.record_key, m.stored)::lawful.disclosed_call
                   ORDER BY m.n)
        FROM (SELECT matched.*, row_number() OVER (ORDER BY start_time, feed, record_hash) AS n FROM matched) AS m
        $query$, live_branches)
    INTO found
    USING from_time, to_time, identifier, address, with_preserved;
    RETURN coalesce(found, '{}');
END
$$;

-- The days indexed under schema 8 (those cdr.unindexed_day did not list) stay indexed.
DO $$
DECLARE
    indexed record;
BEGIN
    FOR indexed IN
        SELECT i.inhrelid::regclass AS partition, to_date(substr(c.relname, 7), 'YYYYMMDD') AS day
        FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'cdr.call'::regclass AND c.relname ~ '^call_p[0-9]{8}$'
          AND to_date(substr(c.relname, 7), 'YYYYMMDD') NOT IN (SELECT u.day FROM cdr.unindexed_day AS u)
    LOOP
        PERFORM cdr.watch_indexed_partition(indexed.partition);
        INSERT INTO cdr.indexed_partition (day, partition) VALUES (indexed.day, indexed.partition);
    END LOOP;
END
$$;

DROP TRIGGER call_days_noted ON cdr.call;
DROP FUNCTION cdr.note_unindexed_days();
DROP TABLE cdr.unindexed_day;
