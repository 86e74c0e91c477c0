-- cdrstore schema 4: billing. Tariffs (rates by plan, prefix and validity), billing accounts,
-- and invoices with their lines. Amounts are bigint in 1/10000 of the currency unit; there is no
-- floating point anywhere in billing. Rating itself happens in cdrstore (see the README's
-- "Billing rules"); these tables keep what it used and what it issued.

CREATE SCHEMA billing;

-- One tariff file as imported: who, when, and the file's SHA-256.
CREATE TABLE billing.tariff_import (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_name   text NOT NULL,
    file_sha256 text NOT NULL,
    rates       integer NOT NULL,
    imported_by text NOT NULL DEFAULT session_user,
    imported_at timestamptz NOT NULL DEFAULT now()
);

-- A rate of a plan for destinations starting with `prefix` (digits of E.164, without '+'), in
-- force from `valid_from` until a later version of the same (plan, prefix).
CREATE TABLE billing.tariff_rate (
    plan              text COLLATE "C" NOT NULL,
    prefix            text COLLATE "C" NOT NULL CHECK (prefix ~ '^[0-9]{1,15}$'),
    valid_from        timestamptz NOT NULL,
    description       text NOT NULL CHECK (description <> ''),
    connect_fee       bigint NOT NULL CHECK (connect_fee >= 0),
    rate_per_minute   bigint NOT NULL CHECK (rate_per_minute >= 0),
    first_increment_s integer NOT NULL CHECK (first_increment_s >= 0),
    increment_s       integer NOT NULL CHECK (increment_s >= 1),
    currency          text CHECK (currency ~ '^[A-Z]{3}$'),
    import_id         bigint NOT NULL REFERENCES billing.tariff_import,
    PRIMARY KEY (plan, prefix, valid_from)
);

-- A billing account: its currency and the zone its calendar months are counted in.
CREATE TABLE billing.account (
    account    text COLLATE "C" PRIMARY KEY,
    currency   text NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
    zone       text NOT NULL DEFAULT 'UTC',
    updated_by text NOT NULL DEFAULT session_user,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The plans of an account over time: a call is rated by the plan in force at its start.
CREATE TABLE billing.account_plan (
    account    text COLLATE "C" NOT NULL REFERENCES billing.account,
    valid_from timestamptz NOT NULL,
    plan       text COLLATE "C" NOT NULL,
    set_by     text NOT NULL DEFAULT session_user,
    set_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account, valid_from)
);

-- One invoice per account and calendar month, issued once and never changed afterwards: calls
-- that arrive later, or rates imported later for its month, go onto a later invoice as adjustment
-- lines. An unpaid invoice keeps its calls by a billing hold.
CREATE TABLE billing.invoice (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account       text COLLATE "C" NOT NULL,
    period        date NOT NULL CHECK (extract(day FROM period) = 1),
    period_from   timestamptz NOT NULL,
    period_to     timestamptz NOT NULL,
    plans         text COLLATE "C" NOT NULL,    -- the plans its calls were rated by, comma-separated
    currency      text NOT NULL,
    calls         bigint NOT NULL,
    unanswered    bigint NOT NULL,
    total         bigint NOT NULL,
    hold_id       bigint REFERENCES cdr.hold,
    issued_by     text NOT NULL DEFAULT session_user,
    issued_at     timestamptz NOT NULL DEFAULT now(),
    paid_at       timestamptz,
    paid_by       text,
    UNIQUE (account, period),
    CONSTRAINT invoice_paid_complete CHECK ((paid_at IS NULL) = (paid_by IS NULL))
);

-- The lines of an invoice: one per tariff description, 'unrated (...)' for calls no prefix
-- matched, and adjustment lines (`adjusts_invoice` set): what an earlier invoice's month comes to
-- now, per item, minus what was invoiced for it so far.
CREATE TABLE billing.invoice_line (
    invoice_id       bigint NOT NULL REFERENCES billing.invoice,
    line             integer NOT NULL,
    item             text NOT NULL,
    adjusts_invoice  bigint REFERENCES billing.invoice,
    calls            bigint NOT NULL,
    billable_s       bigint NOT NULL,
    billed_s         bigint NOT NULL,
    amount           bigint NOT NULL,
    PRIMARY KEY (invoice_id, line)
);

-- Issued invoices are never rewritten: only payment may be recorded, once.
CREATE FUNCTION billing.refuse_invoice_change() RETURNS trigger
    LANGUAGE plpgsql
AS $function$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'invoice % is issued and cannot be deleted', OLD.id;
    END IF;
    IF (NEW.id, NEW.account, NEW.period, NEW.plans, NEW.currency, NEW.calls, NEW.unanswered, NEW.total,
        NEW.hold_id, NEW.issued_at)
       IS DISTINCT FROM
       (OLD.id, OLD.account, OLD.period, OLD.plans, OLD.currency, OLD.calls, OLD.unanswered, OLD.total,
        OLD.hold_id, OLD.issued_at)
       OR (OLD.paid_at IS NOT NULL AND NEW.paid_at IS DISTINCT FROM OLD.paid_at) THEN
        RAISE EXCEPTION 'invoice % is issued: only its payment may be recorded, once', OLD.id;
    END IF;
    RETURN NEW;
END
$function$;
CREATE TRIGGER invoice_issued_is_final BEFORE UPDATE OR DELETE ON billing.invoice
    FOR EACH ROW EXECUTE FUNCTION billing.refuse_invoice_change();

CREATE FUNCTION billing.refuse_line_change() RETURNS trigger
    LANGUAGE plpgsql
AS $function$
BEGIN
    RAISE EXCEPTION 'invoice lines are final once issued';
END
$function$;
CREATE TRIGGER invoice_line_is_final BEFORE UPDATE OR DELETE ON billing.invoice_line
    FOR EACH ROW EXECUTE FUNCTION billing.refuse_line_change();
