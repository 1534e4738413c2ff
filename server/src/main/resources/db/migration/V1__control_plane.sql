-- Control-plane schema. Portable between H2 (MODE=PostgreSQL) and PostgreSQL.
-- Times are epoch milliseconds (UTC).

CREATE TABLE principals (
    name        VARCHAR(64)  PRIMARY KEY,
    role        VARCHAR(16)  NOT NULL,        -- tenant | operator | agent
    token_hash  VARCHAR(64)  NOT NULL UNIQUE, -- hex SHA-256 of the token; the token itself is never stored
    created_at  BIGINT       NOT NULL
);

CREATE TABLE jobs (
    id            BIGINT        PRIMARY KEY,
    tenant        VARCHAR(64)   NOT NULL,
    name          VARCHAR(128)  NOT NULL,
    idem_key      VARCHAR(128),
    idem_hash     VARCHAR(64),
    spec          VARCHAR(4000) NOT NULL,     -- the validated request, canonical JSON
    state         VARCHAR(12)   NOT NULL,     -- queued | running | succeeded | failed | cancelled
    attempts      INT           NOT NULL,
    submitted_at  BIGINT        NOT NULL,
    started_at    BIGINT,
    due_at        BIGINT,
    finished_at   BIGINT,
    region        VARCHAR(32),
    site          VARCHAR(64),
    alloc         VARCHAR(100000),            -- node:gpuMask per task, comma-separated (256 tasks x ~30 chars)
    decision      VARCHAR(1000),
    reason        VARCHAR(1000)
);
CREATE UNIQUE INDEX jobs_idempotency ON jobs (tenant, idem_key);
CREATE INDEX jobs_state ON jobs (state, id);
CREATE INDEX jobs_tenant ON jobs (tenant, id);

CREATE TABLE job_events (
    job_id  BIGINT        NOT NULL,
    seq     INT           NOT NULL,
    at      BIGINT        NOT NULL,
    kind    VARCHAR(16)   NOT NULL,
    detail  VARCHAR(1000),
    PRIMARY KEY (job_id, seq)
);

CREATE TABLE node_state (
    node        VARCHAR(128) PRIMARY KEY,
    cordoned    BOOLEAN      NOT NULL,
    agent       BOOLEAN      NOT NULL,       -- managed by a node agent (else virtual)
    updated_at  BIGINT       NOT NULL
);

CREATE TABLE site_state (
    site        VARCHAR(64)  PRIMARY KEY,
    down        BOOLEAN      NOT NULL,
    updated_at  BIGINT       NOT NULL
);
