-- +goose Up
-- Search (internal/platform/search). search_terms is each domain's
-- vocabulary of folded words, which typos are corrected to; it only grows.
CREATE TABLE search_terms (
    domain TEXT NOT NULL,
    term   TEXT NOT NULL,
    PRIMARY KEY (domain, term)
);

-- Synonyms: each row a group of phrases that mean the same to whoever
-- types them, separated by '|'. Administrators edit them (/admin/synonyms).
CREATE TABLE search_synonyms (
    id         TEXT PRIMARY KEY,
    phrases    TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL
);
INSERT INTO search_synonyms (id, phrases, note, updated_at) VALUES
 ('syn-tp', 'thành phố | tp | t.p | tỉnh | province | city', 'Đơn vị hành chính: tên loại đơn vị cấp tỉnh gõ lẫn nhau', 0),
 ('syn-tx', 'thị xã | tx', 'Đơn vị hành chính', 0),
 ('syn-hcm', 'hồ chí minh | hcm | tp.hcm | tphcm | sài gòn | saigon | hochiminh | ho chi minh city', 'Tên thường gọi', 0),
 ('syn-hn', 'hà nội | hanoi | hn', 'Tên thường gọi', 0),
 ('syn-dn', 'đà nẵng | danang', 'Tên thường gọi', 0),
 ('syn-hp', 'hải phòng | haiphong', 'Tên thường gọi', 0),
 ('syn-ct', 'cần thơ | cantho', 'Tên thường gọi', 0),
 ('syn-hue', 'huế | thừa thiên huế | tt huế | tth', 'Tên cũ và tên thường gọi', 0),
 ('syn-bmt', 'buôn ma thuột | buôn mê thuột | bmt | banmethuot | ban me thuot', 'Tên thường gọi', 0),
 ('syn-daklak', 'đắk lắk | đăk lăk | daklak | dak lac | đắc lắc | đắk lăk', 'Cách viết khác', 0),
 ('syn-daknong', 'đắk nông | đăk nông | daknong', 'Cách viết khác', 0),
 ('syn-brvt', 'bà rịa vũng tàu | brvt | br-vt', 'Tên cũ viết tắt', 0),
 ('syn-tth', 'thừa thiên huế | tt-huế', 'Tên cũ viết tắt', 0),
 ('syn-cds', 'chuyển đổi số | cđs | cds | digital transformation', 'Thuật ngữ', 0),
 ('syn-attt', 'an toàn thông tin | attt | an ninh mạng | information security | cybersecurity', 'Thuật ngữ', 0),
 ('syn-cntt', 'công nghệ thông tin | cntt | information technology', 'Thuật ngữ', 0),
 ('syn-ai', 'trí tuệ nhân tạo | ai | artificial intelligence', 'Thuật ngữ', 0),
 ('syn-dvc', 'dịch vụ công | dvc', 'Thuật ngữ', 0),
 ('syn-ubnd', 'ủy ban nhân dân | ubnd', 'Cơ quan', 0),
 ('syn-thpt', 'trung học phổ thông | thpt', 'Cơ quan', 0),
 ('syn-thcs', 'trung học cơ sở | thcs', 'Cơ quan', 0),
 ('syn-dh', 'đại học | đh', 'Cơ quan', 0),
 ('syn-bo', 'bộ khoa học và công nghệ | bkhcn | bộ khcn', 'Cơ quan', 0);

-- +goose Down
DROP TABLE search_synonyms;
DROP TABLE search_terms;
