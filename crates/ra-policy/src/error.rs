//! [`Error`]: why a policy could not be loaded.

/// A policy document that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The TOML does not parse into a [`Policy`](crate::Policy).
    #[error("policy does not parse: {message}")]
    Parse {
        /// The parser's message (line and column included).
        message: String,
    },
    /// The default profile is not defined.
    #[error("default profile {name:?} is not defined")]
    UnknownDefaultProfile {
        /// The name.
        name: String,
    },
    /// The automatic-registration profile is not defined.
    #[error("automatic registration names undefined profile {name:?}")]
    UnknownAutomaticProfile {
        /// The name.
        name: String,
    },
    /// A MAC iteration bound outside what the server accepts to enforce.
    #[error("registration.administrative.{what} is {value}, outside {min}..={max}")]
    MacIterations {
        /// The setting.
        what: &'static str,
        /// Its value.
        value: u64,
        /// The lowest accepted (the RFC's minimum count).
        min: u64,
        /// The highest accepted (one request must not cost seconds of CPU).
        max: u64,
    },
    /// A profile's validity rules contradict each other.
    #[error("profile {name:?}: default-days {default_days} exceeds max-days {max_days}")]
    Validity {
        /// The profile.
        name: String,
        /// `default-days`.
        default_days: u32,
        /// `max-days`.
        max_days: u32,
    },
    /// A profile requires an attribute it does not allow, or allows none at all.
    #[error("profile {name:?}: subject rule is inconsistent ({what})")]
    Subject {
        /// The profile.
        name: String,
        /// What is wrong.
        what: &'static str,
    },
    /// A profile accepts no authentication method, so nobody could enroll.
    #[error("profile {name:?} accepts no authentication method")]
    NoAuthentication {
        /// The profile.
        name: String,
    },
    /// The self-service settings (`[registration.self-service]`) are not usable.
    #[error("registration.self-service: {what}")]
    SelfService {
        /// What is wrong.
        what: &'static str,
    },
    /// A profile name is not usable in a URL path (`/.well-known/cmp/p/<name>`).
    #[error("profile name {name:?} must be 1-64 characters of [a-z0-9-]")]
    ProfileName {
        /// The name.
        name: String,
    },
}
