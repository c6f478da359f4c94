-- Most profiles have no external id, and many no mobile phone: those rows are left out of the
-- two indexes (the index then costs nothing for them, on insert and on a first load, where the
-- import builds the indexes again after the rows). Lookups `external_id = ?` and
-- `mobile_phone = ?` imply IS NOT NULL, so both databases still use the indexes for them, and
-- uniqueness of the external id is unchanged (NULLs never conflicted).
DROP INDEX profiles_external_id_key;
CREATE UNIQUE INDEX profiles_external_id_key ON profiles(external_id)
    WHERE external_id IS NOT NULL;
DROP INDEX profiles_mobile_phone_idx;
CREATE INDEX profiles_mobile_phone_idx ON profiles(mobile_phone) WHERE mobile_phone IS NOT NULL;
