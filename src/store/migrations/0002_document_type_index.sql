-- Listing filtered by document type, newest first, without a scan of the whole table.
CREATE INDEX scans_document_type_seq ON scans (document_type, seq);
