//! Unit tests of claim signature helpers.
