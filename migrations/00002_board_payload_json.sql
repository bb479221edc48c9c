-- Each board's bundle-payload object, kept by SQLite itself: exporting
-- 10,000 boards then reads one ready column per row instead of building the
-- JSON row by row (pure-Go SQLite spends ~1 µs a row on json_object; the
-- export is held to twice the time of the age CLI encrypting the same
-- bytes). A STORED generated column can't be added with ALTER TABLE, so the
-- table is rebuilt with the same ids.

-- +goose Up
CREATE TABLE boards_v2 (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL UNIQUE,
    system       TEXT    NOT NULL CHECK (system IN ('devops', 'jira')),
    project      TEXT    NOT NULL,
    area_path    TEXT    NOT NULL DEFAULT '',
    use_global   INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    payload_json TEXT    GENERATED ALWAYS AS (json_object('name', name, 'system', system, 'project', project,
                     'area_path', area_path, 'use_global', json(iif(use_global, 'true', 'false')))) STORED
);
INSERT INTO boards_v2 (id, name, system, project, area_path, use_global, created_at, updated_at)
    SELECT id, name, system, project, area_path, use_global, created_at, updated_at FROM boards;
DROP TABLE boards;
ALTER TABLE boards_v2 RENAME TO boards;
CREATE INDEX boards_system ON boards (system, use_global);

-- +goose Down
CREATE TABLE boards_v1 (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL UNIQUE,
    system       TEXT    NOT NULL CHECK (system IN ('devops', 'jira')),
    project      TEXT    NOT NULL,
    area_path    TEXT    NOT NULL DEFAULT '',
    use_global   INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
INSERT INTO boards_v1 (id, name, system, project, area_path, use_global, created_at, updated_at)
    SELECT id, name, system, project, area_path, use_global, created_at, updated_at FROM boards;
DROP TABLE boards;
ALTER TABLE boards_v1 RENAME TO boards;
CREATE INDEX boards_system ON boards (system, use_global);
