//! # Errors: `Result`, `?`, error enums, `source()` chains, context
//!
//! ## Why interviewers ask this
//! Go's `if err != nil { return fmt.Errorf("loading config: %w", err) }` has a direct Rust
//! counterpart, and interviewers want to see you design errors as types: what a caller can
//! match on, what gets logged, how the cause chain survives, and when to panic instead.
//!
//! ## How it works
//! - A fallible function returns `Result<T, E>`. `?` returns early with the error, converting
//!   it with `From` (here `ParseIntError` → [`ConfigError::Parse`] would need context, so we
//!   map explicitly; `io::Error` → [`ConfigError::Io`] converts via `From`).
//! - **Error enums** for libraries: one variant per case a caller might handle, with fields
//!   for the details ([`ConfigError`]). Implement `Display` (one line, lower case, no cause)
//!   and `Error::source()` (the underlying cause). `thiserror` derives exactly this.
//! - **Chains**: `source()` links errors like Go's `%w`/`errors.Unwrap`; [`error_chain`] walks
//!   it. Print the chain once, at the top (the way `anyhow` prints "Caused by:").
//! - **Context**: wrap an error with what you were doing ([`Context`], [`WithContext`]), the
//!   equivalent of `fmt.Errorf("...: %w")` / `anyhow::Context`.
//! - **Downcasting**: `err.downcast_ref::<ParseIntError>()` on a `dyn Error` is `errors.As`.
//! - **Panics** are for bugs (broken invariants), not for bad input or I/O.
//!
//! ## Common pitfalls
//! - Putting the cause's text into `Display` *and* returning it from `source()`: every log
//!   line repeats it.
//! - `Box<dyn Error>` or `String` in a library's public API: callers can no longer match.
//! - Losing the cause with `.map_err(|_| MyError::Bad)`.
//! - `unwrap()` on input you don't control.
//!
//! ## Key takeaways
//! - Libraries: typed enums with `source()`. Applications: `anyhow`-style context chains.
//! - `?` + `From` removes the `if err != nil` boilerplate without hiding the control flow.
//! - Every layer adds context, nobody repeats the cause.
//!
//! ## Break it
//! `breaks/lang_errors.patch` makes `source()` return `None` for parse errors — the Go bug of
//! `fmt.Errorf("%v", err)` instead of `%w`. `scripts/break-it.sh lang_errors`: the test
//! `chain_reaches_the_integer_parse_error` fails, because the root cause is no longer
//! reachable for logging or downcasting.
//!
//! ## Interview questions
//! - *How does `?` work?* — On `Err(e)` it returns `Err(From::from(e))` from the enclosing
//!   function; on `Ok(v)` it evaluates to `v`. It works for `Option` too.
//! - *`thiserror` or `anyhow`?* — `thiserror` for libraries (typed, matchable); `anyhow` in
//!   binaries (one error type, context, backtraces, printing the chain).
//! - *Go's `errors.Is`/`errors.As` in Rust?* — `matches!(err, MyError::NotFound { .. })` for
//!   enums; walk `source()` and `downcast_ref::<T>()` for dynamic chains.
//! - *When do you panic?* — When continuing would be wrong because the program itself is
//!   wrong (an invariant broke); never for input, network or disk errors.

use std::error::Error;
use std::fmt;
use std::num::ParseIntError;

/// Why a configuration could not be loaded. Each variant is a case a caller may handle.
#[derive(Debug)]
pub enum ConfigError {
    /// A required key is absent.
    Missing { key: &'static str },
    /// A key is present but its value is not a number.
    Parse { key: &'static str, source: ParseIntError },
    /// A value parsed but is outside its allowed range.
    OutOfRange { key: &'static str, value: u64 },
    /// Reading the configuration failed.
    Io(std::io::Error),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line saying what failed; the cause is reported by `source()`, not repeated here.
        match self {
            ConfigError::Missing { key } => write!(f, "missing key `{key}`"),
            ConfigError::Parse { key, .. } => write!(f, "invalid number for `{key}`"),
            ConfigError::OutOfRange { key, value } => {
                write!(f, "`{key}` = {value} is out of range")
            }
            ConfigError::Io(_) => write!(f, "cannot read configuration"),
        }
    }
}

impl Error for ConfigError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            ConfigError::Parse { source, .. } => Some(source),
            ConfigError::Io(source) => Some(source),
            ConfigError::Missing { .. } | ConfigError::OutOfRange { .. } => None,
        }
    }
}

/// Lets `?` turn an `io::Error` into a `ConfigError` without a `map_err`.
impl From<std::io::Error> for ConfigError {
    fn from(error: std::io::Error) -> Self {
        ConfigError::Io(error)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    pub port: u16,
    pub workers: u32,
}

/// Parses `key=value` lines; `port` and `workers` are required.
pub fn parse_config(text: &str) -> Result<Config, ConfigError> {
    let port = number(text, "port")?;
    let port = u16::try_from(port).map_err(|_| ConfigError::OutOfRange { key: "port", value: port })?;
    let workers = number(text, "workers")?;
    if workers == 0 || workers > 1024 {
        return Err(ConfigError::OutOfRange { key: "workers", value: workers });
    }
    Ok(Config { port, workers: workers as u32 })
}

fn number(text: &str, key: &'static str) -> Result<u64, ConfigError> {
    let raw = text
        .lines()
        .filter_map(|line| line.split_once('='))
        .find(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim())
        .ok_or(ConfigError::Missing { key })?;
    raw.parse().map_err(|source| ConfigError::Parse { key, source })
}

/// Reads the configuration from any reader; an I/O failure converts through `From`.
pub fn load_config(mut reader: impl std::io::Read) -> Result<Config, ConfigError> {
    let mut text = String::new();
    reader.read_to_string(&mut text)?;
    parse_config(&text)
}

/// An error with a sentence about what was being done: `fmt.Errorf("%s: %w", msg, err)`.
#[derive(Debug)]
pub struct Context {
    message: String,
    source: Box<dyn Error + Send + Sync + 'static>,
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for Context {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&*self.source)
    }
}

/// `.context("...")` on any `Result` whose error is a real error type.
pub trait WithContext<T> {
    fn context(self, message: impl Into<String>) -> Result<T, Context>;
}

impl<T, E: Error + Send + Sync + 'static> WithContext<T> for Result<T, E> {
    fn context(self, message: impl Into<String>) -> Result<T, Context> {
        self.map_err(|error| Context { message: message.into(), source: Box::new(error) })
    }
}

/// Every message from the outermost error down to the root cause.
pub fn error_chain(error: &(dyn Error + 'static)) -> Vec<String> {
    std::iter::successors(Some(error), |&e| e.source()).map(ToString::to_string).collect()
}

/// The deepest cause in the chain.
pub fn root_cause<'a>(error: &'a (dyn Error + 'static)) -> &'a (dyn Error + 'static) {
    std::iter::successors(Some(error), |&e| e.source()).last().expect("the chain starts with `error`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_config_parses() {
        let config = parse_config("port = 8080\nworkers=4").expect("valid config");
        assert_eq!(config, Config { port: 8080, workers: 4 });
    }

    #[test]
    fn each_failure_is_a_variant_the_caller_can_match() {
        assert!(matches!(parse_config("workers=4"), Err(ConfigError::Missing { key: "port" })));
        assert!(matches!(parse_config("port=x\nworkers=4"), Err(ConfigError::Parse { key: "port", .. })));
        assert!(matches!(
            parse_config("port=70000\nworkers=4"),
            Err(ConfigError::OutOfRange { key: "port", value: 70_000 })
        ));
        assert!(matches!(parse_config("port=1\nworkers=0"), Err(ConfigError::OutOfRange { key: "workers", .. })));
    }

    #[test]
    fn chain_reaches_the_integer_parse_error() {
        let error = parse_config("port=80\nworkers=many").context("starting the server").unwrap_err();
        assert_eq!(
            error_chain(&error),
            ["starting the server", "invalid number for `workers`", "invalid digit found in string"]
        );
        assert!(root_cause(&error).downcast_ref::<ParseIntError>().is_some(), "errors.As equivalent");
    }

    #[test]
    fn io_errors_convert_through_from_and_keep_their_cause() {
        struct Failing;
        impl std::io::Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied"))
            }
        }
        let error = load_config(Failing).unwrap_err();
        assert!(matches!(error, ConfigError::Io(_)));
        assert_eq!(error_chain(&error), ["cannot read configuration", "denied"]);
    }

    #[test]
    fn display_does_not_repeat_the_cause() {
        let error = parse_config("port=x\nworkers=1").unwrap_err();
        let line = error.to_string();
        assert!(!line.contains("invalid digit"), "{line}");
    }
}
