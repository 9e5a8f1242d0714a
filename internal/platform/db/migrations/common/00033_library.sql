-- +goose Up
-- The library (internal/library): news, guides, legal documents, learning
-- material and FAQ entries, each published by a unit. A document is
-- visible to everyone once published and its publish_at has come; drafts,
-- scheduled and archived ones only to its unit's editors. JSON columns
-- hold short lists (topics, audiences, competences).
CREATE TABLE lib_docs (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    unit_id      TEXT NOT NULL,
    unit_path    TEXT NOT NULL,
    status       TEXT NOT NULL,
    publish_at   BIGINT NOT NULL DEFAULT 0,
    version      INTEGER NOT NULL,
    title_vi     TEXT NOT NULL,
    title_en     TEXT NOT NULL DEFAULT '',
    summary_vi   TEXT NOT NULL DEFAULT '',
    summary_en   TEXT NOT NULL DEFAULT '',
    body_vi      TEXT NOT NULL DEFAULT '',
    body_en      TEXT NOT NULL DEFAULT '',
    topics       TEXT NOT NULL DEFAULT '[]',
    audiences    TEXT NOT NULL DEFAULT '[]',
    competences  TEXT NOT NULL DEFAULT '[]',
    link         TEXT NOT NULL DEFAULT '',
    number       TEXT NOT NULL DEFAULT '',
    doc_type     TEXT NOT NULL DEFAULT '',
    issuer       TEXT NOT NULL DEFAULT '',
    signed_on    TEXT NOT NULL DEFAULT '',
    effective_on TEXT NOT NULL DEFAULT '',
    legal_status TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_by   TEXT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX lib_docs_listed ON lib_docs (status, publish_at);
CREATE INDEX lib_docs_unit ON lib_docs (unit_path);
CREATE INDEX lib_docs_number ON lib_docs (number);

-- Every saved version, whole, as JSON: who changed what and when.
CREATE TABLE lib_versions (
    doc_id    TEXT NOT NULL,
    version   INTEGER NOT NULL,
    data      TEXT NOT NULL,
    edited_by TEXT NOT NULL,
    edited_at BIGINT NOT NULL,
    PRIMARY KEY (doc_id, version)
);

-- A legal document amends, replaces or implements another; shown both ways.
CREATE TABLE lib_relations (
    from_id TEXT NOT NULL,
    kind    TEXT NOT NULL,
    to_id   TEXT NOT NULL,
    PRIMARY KEY (from_id, kind, to_id)
);
CREATE INDEX lib_relations_to ON lib_relations (to_id);

-- Attachments, stored through the file store (files.owner = 'library:<id>').
CREATE TABLE lib_files (
    doc_id   TEXT NOT NULL,
    file_id  TEXT NOT NULL,
    name     TEXT NOT NULL,
    type     TEXT NOT NULL,
    size     BIGINT NOT NULL,
    seq      INTEGER NOT NULL,
    PRIMARY KEY (doc_id, file_id)
);

-- Topics are a managed list, in the order pages show them.
CREATE TABLE lib_topics (
    code    TEXT PRIMARY KEY,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    seq     INTEGER NOT NULL
);
INSERT INTO lib_topics (code, name_vi, name_en, seq) VALUES
 ('scheme', 'Đề án và chính sách', 'The scheme and policy', 1),
 ('digital-skills', 'Kỹ năng số', 'Digital skills', 2),
 ('safety', 'An toàn thông tin và an ninh mạng', 'Information security and online safety', 3),
 ('public-services', 'Dịch vụ công trực tuyến', 'Online public services', 4),
 ('digital-government', 'Chính phủ số', 'Digital government', 5),
 ('digital-economy', 'Kinh tế số', 'Digital economy', 6),
 ('digital-society', 'Xã hội số', 'Digital society', 7),
 ('data', 'Dữ liệu và dữ liệu cá nhân', 'Data and personal data', 8),
 ('ai', 'Trí tuệ nhân tạo', 'Artificial intelligence', 9),
 ('platform', 'Sử dụng nền tảng dxhub', 'Using dxhub', 10);

-- +goose Down
DROP TABLE lib_topics;
DROP TABLE lib_files;
DROP TABLE lib_relations;
DROP TABLE lib_versions;
DROP TABLE lib_docs;
