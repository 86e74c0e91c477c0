-- cdrstore schema 1: calls in daily partitions, rejected records, the ingest ledger, settings.
-- Applied by `cdrstore migrate` inside one transaction; see sql/README.md.

-- One row of store-wide settings. Retention (a later migration adds its machinery) reads these.
CREATE TABLE cdr.settings (
    singleton                boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    retention_ceiling_months integer NOT NULL DEFAULT 24,
    retention_floor_months   integer NOT NULL DEFAULT 6,
    CONSTRAINT settings_floor_at_least_one_month CHECK (retention_floor_months >= 1),
    CONSTRAINT settings_floor_below_ceiling CHECK (retention_floor_months <= retention_ceiling_months)
);
INSERT INTO cdr.settings DEFAULT VALUES;

-- Every call, partitioned by the day (UTC) it started. There is deliberately no default
-- partition: ingest creates the day's partition before it copies rows into it.
CREATE TABLE cdr.call (
    start_time  timestamptz NOT NULL,
    answer_time timestamptz,
    end_time    timestamptz NOT NULL,
    duration_s  integer NOT NULL,
    billable_s  integer NOT NULL,
    source      text COLLATE "C" NOT NULL,
    destination text COLLATE "C" NOT NULL,
    source_ip   inet,
    call_type   text NOT NULL,
    disposition text NOT NULL,
    equipment   text COLLATE "C",
    account     text COLLATE "C",
    feed        text COLLATE "C" NOT NULL,
    record_key  text COLLATE "C",
    record_hash bytea NOT NULL,             -- first 16 bytes of SHA-256 of the record's raw bytes
    ingested_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT call_times_ordered CHECK (end_time >= start_time),
    CONSTRAINT call_seconds_sane CHECK (duration_s >= 0 AND billable_s >= 0 AND billable_s <= duration_s),
    CONSTRAINT call_type_known CHECK (call_type IN ('voice', 'video', 'fax')),
    CONSTRAINT call_disposition_known
        CHECK (disposition IN ('answered', 'no_answer', 'busy', 'failed', 'congestion', 'cancelled'))
) PARTITION BY RANGE (start_time);

COMMENT ON TABLE cdr.call IS 'Call detail records, one daily partition cdr.call_pYYYYMMDD per UTC day of start_time';
COMMENT ON COLUMN cdr.call.record_hash IS
    'Identity of the raw record within its feed: a byte-identical record is stored once';

-- The same record from the same feed is stored once (the key includes the partition key,
-- as PostgreSQL requires for a unique index on a partitioned table).
CREATE UNIQUE INDEX call_feed_record_hash ON cdr.call (feed, record_hash, start_time);
-- Lookups by party or address within a time window.
CREATE INDEX call_source ON cdr.call (source, start_time);
CREATE INDEX call_destination ON cdr.call (destination, start_time);
CREATE INDEX call_source_ip ON cdr.call (source_ip, start_time) WHERE source_ip IS NOT NULL;

-- Records a feed delivered that could not be stored, with their bytes and the reason.
CREATE TABLE cdr.reject (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    feed        text COLLATE "C" NOT NULL,
    source_name text NOT NULL,              -- the file path (or push request) it came from
    byte_offset bigint NOT NULL,            -- offset of the record's first byte in that file
    line_number bigint NOT NULL,            -- physical line where the record starts
    raw         bytea NOT NULL,             -- the record as delivered, without its line end
    reason      text NOT NULL,
    rejected_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reject_feed_time ON cdr.reject (feed, rejected_at);

-- How far each feed file has been read. A file is recognised by its content, not its name,
-- so a renamed (rotated) or copied file resumes where it was: it matches a row when its first
-- prefix_length bytes hash to prefix_hash and the 4 KiB before committed_offset hash to
-- checkpoint_hash. The row advances in the same transaction as the rows it accounts for.
CREATE TABLE cdr.ingest_ledger (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    feed             text COLLATE "C" NOT NULL,
    prefix_length    integer NOT NULL CHECK (prefix_length BETWEEN 1 AND 4096),
    prefix_hash      bytea NOT NULL,
    committed_offset bigint NOT NULL CHECK (committed_offset >= prefix_length),
    committed_lines  bigint NOT NULL,
    checkpoint_hash  bytea NOT NULL,
    last_path        text NOT NULL,
    records          bigint NOT NULL DEFAULT 0,
    ingested         bigint NOT NULL DEFAULT 0,
    duplicates       bigint NOT NULL DEFAULT 0,
    rejected         bigint NOT NULL DEFAULT 0,
    first_seen       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ingest_ledger_lookup ON cdr.ingest_ledger (feed, prefix_length, prefix_hash);

-- The name of the partition holding `day`.
CREATE FUNCTION cdr.partition_name(day date) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    RETURN 'call_p' || to_char(day, 'YYYYMMDD');

-- Creates the partition for `day` (UTC) unless it exists; returns true when it created it.
-- Concurrent callers are serialised by an advisory lock, so two ingests never collide.
CREATE FUNCTION cdr.ensure_partition(day date) RETURNS boolean
    LANGUAGE plpgsql
AS $$
DECLARE
    partition text := cdr.partition_name(day);
BEGIN
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
    RETURN true;
END
$$;

-- The daily partitions, with their size and the planner's row estimate.
CREATE VIEW cdr.partitions AS
SELECT
    to_date(substr(c.relname, 7), 'YYYYMMDD') AS day,
    c.relname::text AS partition,
    pg_total_relation_size(c.oid) AS total_bytes,
    greatest(c.reltuples, 0)::bigint AS estimated_rows
FROM pg_inherits AS i
JOIN pg_class AS c ON c.oid = i.inhrelid
WHERE i.inhparent = 'cdr.call'::regclass;
