//! Unit tests of OCSP helpers.
