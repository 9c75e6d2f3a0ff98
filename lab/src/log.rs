//! The human log: the run's events (and, with `RUST_LOG=debug`, the gRPC stack's own
//! diagnostics) written through tracing-subscriber with simulated timestamps.
//!
//! Each line reads `<simulated time> <LEVEL> <node>: <event>`. The subscriber is installed
//! for the current thread only, for the length of one run, so parallel runs never mix logs.

use std::fmt;
use std::fs::File;
use std::path::Path;
use std::sync::Mutex;
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::EnvFilter;

/// Writes the log for the current thread until the returned guard is dropped.
/// `RUST_LOG` filters it as usual (default: `info`).
pub fn install(path: &Path) -> std::io::Result<tracing::subscriber::DefaultGuard> {
    Ok(tracing::dispatcher::set_default(&dispatch(path)?))
}

/// The log writer itself, for a run whose events are recorded on several threads (real mode):
/// each thread sets it as its default, and their lines go to the one file.
pub fn dispatch(path: &Path) -> std::io::Result<tracing::Dispatch> {
    let file = File::create(path)?;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .event_format(SimFormat)
        .finish();
    Ok(tracing::Dispatch::new(subscriber))
}

struct SimFormat;

impl<S, N> FormatEvent<S, N> for SimFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let t_us = turmoil::sim_elapsed().map_or_else(crate::trace::last_recorded_us, |d| d.as_micros() as u64);
        write!(writer, "{:>10.3}s {:>5} ", t_us as f64 / 1e6, event.metadata().level())?;
        // Lab events carry their node as a field; library events get it from turmoil's
        // per-host span, so every line names its node either way.
        if event.metadata().target() != "lab" {
            if let Some(scope) = ctx.event_scope() {
                for span in scope.from_root() {
                    let ext = span.extensions();
                    match ext.get::<tracing_subscriber::fmt::FormattedFields<N>>() {
                        Some(fields) if !fields.is_empty() => write!(writer, "{}{{{}}} ", span.name(), fields)?,
                        _ => write!(writer, "{} ", span.name())?,
                    }
                }
            }
            write!(writer, "{}: ", event.metadata().target())?;
        }
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}
