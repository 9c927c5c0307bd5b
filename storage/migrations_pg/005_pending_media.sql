-- An unsure report keeps its photo and pin, so that confirming it loses nothing.
ALTER TABLE pending_reports ADD COLUMN photo_file_id TEXT COLLATE "C";
ALTER TABLE pending_reports ADD COLUMN latitude DOUBLE PRECISION;
ALTER TABLE pending_reports ADD COLUMN longitude DOUBLE PRECISION;
