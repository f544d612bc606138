//! Progress on a terminal (indicatif): total, rate and time left while a long command runs, nothing when
//! stderr is not a terminal. The final summary line is the command's own (printed either way).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::io::IsTerminal;

/// What the bar counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Items (subjects, modules) against a known or unknown total.
    Items,
    /// Input bytes against the file size (JSON Lines), with the item count as the message.
    Bytes,
}

pub struct Progress {
    bar: Option<ProgressBar>,
    unit: Unit,
    what: String,
}

fn style(unit: Unit, known_total: bool, what: &str) -> Option<ProgressStyle> {
    let template = match (unit, known_total) {
        (Unit::Items, true) => format!("{what} {{wide_bar}} {{human_pos}}/{{human_len}} ({{rate}}, ETA {{eta}})"),
        (Unit::Items, false) => format!("{what} {{spinner}} {{human_pos}} ({{rate}}, {{elapsed}})"),
        (Unit::Bytes, true) => {
            format!("{what} {{wide_bar}} {{bytes}}/{{total_bytes}} ({{bytes_per_sec}}, ETA {{eta}}) {{msg}}")
        }
        (Unit::Bytes, false) => format!("{what} {{spinner}} {{bytes}} ({{bytes_per_sec}}) {{msg}}"),
    };
    let style = ProgressStyle::with_template(&template).ok()?;
    Some(style.with_key("rate", |state: &ProgressState, w: &mut dyn std::fmt::Write| {
        let _ = write!(w, "{:.0}/s", state.per_sec());
    }))
}

impl Progress {
    /// A bar on stderr when it is a terminal (and `XINCE_PROGRESS` is not `0`), otherwise a silent one.
    pub fn new(total: Option<u64>, unit: Unit, what: &str) -> Progress {
        let on = std::io::stderr().is_terminal() && !matches!(std::env::var("XINCE_PROGRESS").as_deref(), Ok("0"));
        if !on {
            return Progress { bar: None, unit, what: what.to_string() };
        }
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr_with_hz(8));
        if let Some(style) = style(unit, total.is_some(), what) {
            bar.set_style(style);
        }
        Progress { bar: Some(bar), unit, what: what.to_string() }
    }

    /// The total, once known (Parquet: from the file's metadata; JSON Lines: the file's size in bytes).
    pub fn set_total(&self, total: u64) {
        if let Some(b) = &self.bar {
            b.set_length(total);
            if let Some(style) = style(self.unit, true, &self.what) {
                b.set_style(style);
            }
        }
    }

    /// Items done (and, for a byte bar, bytes read).
    pub fn update(&self, items: u64, bytes: u64) {
        if let Some(b) = &self.bar {
            match self.unit {
                Unit::Items => b.set_position(items),
                Unit::Bytes => {
                    b.set_position(bytes);
                    b.set_message(format!("{items}"));
                }
            }
        }
    }

    pub fn inc(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }

    /// Clears the bar; the caller then prints its summary line.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }

    /// Prints a line above the bar (or plainly when there is none).
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(b) => b.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }
}
