//! Unit tests of time-stamp parsing helpers.
