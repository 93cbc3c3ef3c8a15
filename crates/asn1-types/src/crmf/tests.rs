//! CRMF tests.
