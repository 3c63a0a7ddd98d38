-- History in PostgreSQL (docs/decisions/0190, 0191): the records the consumer reads from the
-- records topic, and per-hour ride counters kept in the same transaction. Applied at every
-- start, so every statement is idempotent. Unqualified names: the connection's search_path
-- names the schema (one per deployment, one per test suite).

-- One row per record. Partitioned by day on record time (at, Unix ms, UTC days): a day's
-- records are one table, so retention drops a table instead of deleting rows, and a query with
-- a time range reads only its days. The writer creates partitions ahead (pg/partitions.ts).
-- The columns the queries filter on are copied out of the body; the body is the record's JSON
-- as it came from Kafka, returned as it is.
CREATE TABLE IF NOT EXISTS records (
  -- "C": ids compare by their bytes, as in SQLite and Redis (store/cursor.ts compareIds), so a
  -- cursor means the same position in every adapter.
  id text COLLATE "C" NOT NULL,
  at bigint NOT NULL,
  kind text NOT NULL,
  card text NOT NULL,
  masked text NOT NULL,
  device text NOT NULL,
  operator text NOT NULL,
  route text NOT NULL,
  station text NOT NULL,
  stop text NOT NULL,
  body text NOT NULL,
  -- A unique key on a partitioned table must hold the partition key. A record id names one
  -- record, always with the same time (the relay resends the same bytes), so (id, at) is as
  -- unique as id: a resent record meets its first copy in the same partition.
  PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);

-- The queries' keyset order is (at, id) descending; a b-tree is read backwards for it.
CREATE INDEX IF NOT EXISTS records_by_card ON records (card, at, id);
CREATE INDEX IF NOT EXISTS records_by_masked ON records (masked, at, id);
CREATE INDEX IF NOT EXISTS records_by_device ON records (device, at, id);
CREATE INDEX IF NOT EXISTS records_by_operator ON records (operator, at, id);
CREATE INDEX IF NOT EXISTS records_by_route ON records (route, at, id);
CREATE INDEX IF NOT EXISTS records_by_station ON records (station, at, id);
CREATE INDEX IF NOT EXISTS records_by_stop ON records (stop, at, id);
-- Newest first with no other filter (the console's first page for an unbound account): a
-- b-tree walked backwards, so the page reads its rows and not a day's worth to sort.
CREATE INDEX IF NOT EXISTS records_by_time ON records (at, id);
-- Rows arrive roughly in time order, so a BRIN index on time is a few pages per day; it serves
-- scans that read much of a day in storage order (a city's CSV of an hour, counter rebuilds),
-- where walking the b-tree would read the heap in index order.
CREATE INDEX IF NOT EXISTS records_by_time_brin ON records USING brin (at);

-- Ride counters per (operator, hour, line, concession), the same buckets as the SQLite and
-- Redis stores (gateway/src/stats/rides.ts statOf). Only records newly inserted add to them,
-- in the transaction that inserted them, so a replayed stream never counts twice.
CREATE TABLE IF NOT EXISTS ride_stats (
  operator text NOT NULL,
  hour bigint NOT NULL,
  line text NOT NULL,
  concession text NOT NULL,
  rides bigint NOT NULL,
  denied bigint NOT NULL,
  charged_fen bigint NOT NULL,
  free bigint NOT NULL,
  subsidy_fen bigint NOT NULL,
  PRIMARY KEY (operator, hour, line, concession)
);
CREATE INDEX IF NOT EXISTS ride_stats_by_hour ON ride_stats (hour);

-- How far the history reaches, per records-topic partition: the commit time of the newest record
-- written from it, raised in the same transaction as the records, so "records up to" never
-- claims a record that is not in the tables (console, docs/decisions/0190).
CREATE TABLE IF NOT EXISTS history_progress (
  partition integer PRIMARY KEY,
  up_to bigint NOT NULL
);
