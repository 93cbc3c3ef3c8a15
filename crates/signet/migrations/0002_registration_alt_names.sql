-- The subject alternative names an officer registers with a reference number (DER of a
-- SubjectAltName, NULL for none): the only SANs a request authenticated by it may carry.
ALTER TABLE registrations ADD COLUMN san_der BLOB;
