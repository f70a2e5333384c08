-- A translation memory of schema 3 (songngu 0.2.0 before units became pairs with origins), made by
-- that version's TranslationMemory.store and dumped with sqlite3's iterdump; PRAGMA user_version = 3
-- and application_id = 0x53474E55 are set by the test (a dump does not carry them).
BEGIN TRANSACTION;
CREATE TABLE pair (
    first INTEGER NOT NULL,         -- token ids of two adjacent tokens
    second INTEGER NOT NULL,
    df INTEGER NOT NULL,            -- how many normalised sources contain the pair
    PRIMARY KEY (first, second)
) WITHOUT ROWID;
INSERT INTO "pair" VALUES(2,3,1);
INSERT INTO "pair" VALUES(3,5,1);
INSERT INTO "pair" VALUES(4,1,1);
INSERT INTO "pair" VALUES(5,6,1);
INSERT INTO "pair" VALUES(6,4,1);
INSERT INTO "pair" VALUES(7,8,1);
INSERT INTO "pair" VALUES(8,1,1);
INSERT INTO "pair" VALUES(9,15,1);
INSERT INTO "pair" VALUES(10,12,1);
INSERT INTO "pair" VALUES(11,10,1);
INSERT INTO "pair" VALUES(12,1,1);
INSERT INTO "pair" VALUES(13,14,1);
INSERT INTO "pair" VALUES(14,9,1);
INSERT INTO "pair" VALUES(15,11,1);
INSERT INTO "pair" VALUES(16,17,1);
INSERT INTO "pair" VALUES(17,1,1);
INSERT INTO "pair" VALUES(18,19,1);
INSERT INTO "pair" VALUES(19,1,1);
CREATE TABLE pair_posting (
    first INTEGER NOT NULL,
    second INTEGER NOT NULL,
    n_tokens INTEGER NOT NULL,
    key_id INTEGER NOT NULL,
    PRIMARY KEY (first, second, n_tokens, key_id)
) WITHOUT ROWID;
INSERT INTO "pair_posting" VALUES(2,3,6,1);
INSERT INTO "pair_posting" VALUES(3,5,6,1);
INSERT INTO "pair_posting" VALUES(4,1,6,1);
INSERT INTO "pair_posting" VALUES(5,6,6,1);
INSERT INTO "pair_posting" VALUES(6,4,6,1);
INSERT INTO "pair_posting" VALUES(7,8,3,2);
INSERT INTO "pair_posting" VALUES(8,1,3,2);
INSERT INTO "pair_posting" VALUES(9,15,8,3);
INSERT INTO "pair_posting" VALUES(10,12,8,3);
INSERT INTO "pair_posting" VALUES(11,10,8,3);
INSERT INTO "pair_posting" VALUES(12,1,8,3);
INSERT INTO "pair_posting" VALUES(13,14,8,3);
INSERT INTO "pair_posting" VALUES(14,9,8,3);
INSERT INTO "pair_posting" VALUES(15,11,8,3);
INSERT INTO "pair_posting" VALUES(16,17,3,4);
INSERT INTO "pair_posting" VALUES(17,1,3,4);
INSERT INTO "pair_posting" VALUES(18,19,3,5);
INSERT INTO "pair_posting" VALUES(19,1,3,5);
CREATE TABLE posting (
    token_id INTEGER NOT NULL,
    n_tokens INTEGER NOT NULL,      -- of the source: lets the length filter use the index
    key_id INTEGER NOT NULL,
    PRIMARY KEY (token_id, n_tokens, key_id)
) WITHOUT ROWID;
INSERT INTO "posting" VALUES(1,3,2);
INSERT INTO "posting" VALUES(1,3,4);
INSERT INTO "posting" VALUES(1,3,5);
INSERT INTO "posting" VALUES(1,6,1);
INSERT INTO "posting" VALUES(1,8,3);
INSERT INTO "posting" VALUES(2,6,1);
INSERT INTO "posting" VALUES(3,6,1);
INSERT INTO "posting" VALUES(4,6,1);
INSERT INTO "posting" VALUES(5,6,1);
INSERT INTO "posting" VALUES(6,6,1);
INSERT INTO "posting" VALUES(7,3,2);
INSERT INTO "posting" VALUES(8,3,2);
INSERT INTO "posting" VALUES(9,8,3);
INSERT INTO "posting" VALUES(10,8,3);
INSERT INTO "posting" VALUES(11,8,3);
INSERT INTO "posting" VALUES(12,8,3);
INSERT INTO "posting" VALUES(13,8,3);
INSERT INTO "posting" VALUES(14,8,3);
INSERT INTO "posting" VALUES(15,8,3);
INSERT INTO "posting" VALUES(16,3,4);
INSERT INTO "posting" VALUES(17,3,4);
INSERT INTO "posting" VALUES(18,3,5);
INSERT INTO "posting" VALUES(19,3,5);
CREATE TABLE source_key (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,       -- the normalised source
    n_tokens INTEGER NOT NULL
);
INSERT INTO "source_key" VALUES(1,'Bộ Ngoại giao họp báo.',6);
INSERT INTO "source_key" VALUES(2,'Trời mưa.',3);
INSERT INTO "source_key" VALUES(3,'Hà Nội, ngày 14/5.',8);
INSERT INTO "source_key" VALUES(4,'Xin chào.',3);
INSERT INTO "source_key" VALUES(5,'Cảm ơn.',3);
CREATE TABLE token (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL UNIQUE,
    df INTEGER NOT NULL             -- how many normalised sources contain it
);
INSERT INTO "token" VALUES(1,'.',5);
INSERT INTO "token" VALUES(2,'Bộ',1);
INSERT INTO "token" VALUES(3,'Ngoại',1);
INSERT INTO "token" VALUES(4,'báo',1);
INSERT INTO "token" VALUES(5,'giao',1);
INSERT INTO "token" VALUES(6,'họp',1);
INSERT INTO "token" VALUES(7,'Trời',1);
INSERT INTO "token" VALUES(8,'mưa',1);
INSERT INTO "token" VALUES(9,',',1);
INSERT INTO "token" VALUES(10,'/',1);
INSERT INTO "token" VALUES(11,'14',1);
INSERT INTO "token" VALUES(12,'5',1);
INSERT INTO "token" VALUES(13,'Hà',1);
INSERT INTO "token" VALUES(14,'Nội',1);
INSERT INTO "token" VALUES(15,'ngày',1);
INSERT INTO "token" VALUES(16,'Xin',1);
INSERT INTO "token" VALUES(17,'chào',1);
INSERT INTO "token" VALUES(18,'Cảm',1);
INSERT INTO "token" VALUES(19,'ơn',1);
CREATE TABLE unit (
    id INTEGER PRIMARY KEY,
    key_id INTEGER NOT NULL REFERENCES source_key (id),
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    origin TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    edited INTEGER NOT NULL,
    created TEXT NOT NULL, kind TEXT NOT NULL DEFAULT 'reviewed', score REAL,          -- UTC, YYYY-MM-DDThh:mm:ssZ, so text order is time order
    UNIQUE (source, target, origin, segment_id)
);
INSERT INTO "unit" VALUES(1,1,'Bộ Ngoại giao họp báo.','The Ministry of Foreign Affairs held a briefing.','bai.po','bai:1:1',0,'2024-05-02T02:00:00Z','reviewed',NULL);
INSERT INTO "unit" VALUES(2,2,'Trời mưa.','It is raining.','bai.po','bai:1:2',1,'2024-05-02T02:00:00Z','reviewed',NULL);
INSERT INTO "unit" VALUES(3,2,'Trời mưa.','It is raining.','bai.xlf','bai:1:2',0,'2024-05-03T08:00:00Z','reviewed',NULL);
INSERT INTO "unit" VALUES(4,2,'Trời mưa.','It is raining.','bai.po','bai.txt:1',0,'2024-05-04T08:00:00Z','reviewed',NULL);
INSERT INTO "unit" VALUES(5,1,'Bộ Ngoại giao họp báo.','The Ministry of Foreign Affairs held a briefing.','bai.xlf','bai:1:1',0,'2024-05-03T08:00:00Z','reviewed',NULL);
INSERT INTO "unit" VALUES(6,2,'Trời mưa.','Rain.','tin.po','tin:2:1',1,'2024-06-01T00:00:00Z','reviewed',NULL);
INSERT INTO "unit" VALUES(7,3,'Hà Nội, ngày 14/5.','Hanoi, 14 May.','lich.txt','lich:1:1',0,'2024-04-01T00:00:00Z','aligned',0.97);
INSERT INTO "unit" VALUES(8,3,'Hà Nội, ngày 14/5.','Hanoi, 14 May.','lich.po','lich:1:1',0,'2024-04-10T00:00:00Z','reviewed',NULL);
INSERT INTO "unit" VALUES(9,4,'Xin chào.','Hello.','archive.txt','archive:3:2',0,'2024-03-01T00:00:00Z','aligned',0.91);
INSERT INTO "unit" VALUES(10,5,'Cảm ơn.','Thank you.','a.po','a:1:1',1,'2024-05-05T00:00:00Z','reviewed',NULL);
INSERT INTO "unit" VALUES(11,5,'Cảm ơn.','Thank  you.','a.xlf','a:1:1',1,'2024-05-05T00:00:00Z','reviewed',NULL);
CREATE INDEX unit_by_key ON unit (key_id, created);
COMMIT;
