//! What the command says: stderr lines (text, or JSON with `--log-format json`), the stdout
//! text written once at the end (a closed pipe ends it quietly), each error said once with its
//! exit code, and the summary of a run.

use std::io::Write as _;

use kooste::Config;
use kooste::Stage;
use kooste::engine::{EXIT_FAILED, EXIT_NO_RETURNS, EXIT_STALE, EXIT_USAGE};

/// Where the command's words go: stderr lines (text or JSON) and the stdout text, written at
/// the end so that a closed pipe stops nothing halfway and panics nowhere.
#[derive(Clone, Copy)]
pub struct Ui {
    /// One JSON object per line.
    pub json: bool,
}

impl Ui {
    /// One stderr line, always shown (whatever `KOOSTE_LOG` says): the command's own summary.
    pub fn say(self, level: &str, message: &str) {
        self.say_with(level, message, serde_json::Map::new());
    }

    /// One stderr line with fields (in JSON mode, beside the message).
    pub fn say_with(self, level: &str, message: &str, mut fields: serde_json::Map<String, serde_json::Value>) {
        let line = if self.json {
            fields.insert("message".into(), message.into());
            let v = serde_json::json!({
                "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                "level": level,
                "fields": fields,
                "target": "kooste",
            });
            v.to_string()
        } else if level == "ERROR" {
            format!("kooste: error: {message}")
        } else {
            format!("kooste: {message}")
        };
        // stderr closed too: nothing left to tell.
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}

/// Writes the command's stdout; a reader that went away (`| head -1`) is not an error.
pub fn emit(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// The error and its causes, each said once: a cause whose text the message already holds
/// (`path: No such file…` over `No such file…`) is not repeated.
pub fn message(err: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in err.chain() {
        let s = cause.to_string();
        if msg.contains(s.trim()) {
            continue;
        }
        if !msg.is_empty() {
            msg.push_str(": ");
        }
        msg.push_str(s.trim());
    }
    msg
}

/// 2 for a mistake in the settings or on the command line (nothing ran), else 1.
pub fn error_code(err: &anyhow::Error) -> i32 {
    let top = matches!(err.downcast_ref::<kooste::Error>(), Some(kooste::Error::Config(_) | kooste::Error::NoSurveys(_)))
        || err.downcast_ref::<kooste::config::ConfigError>().is_some();
    let usage = top || err.chain().any(|c| {
        c.downcast_ref::<kooste::config::ConfigError>().is_some()
            || matches!(c.downcast_ref::<kooste::Error>(), Some(kooste::Error::Config(_) | kooste::Error::NoSurveys(_)))
    });
    if usage { EXIT_USAGE } else { EXIT_FAILED }
}

/// Fields for a JSON line.
pub fn fields(pairs: &[(&str, serde_json::Value)]) -> serde_json::Map<String, serde_json::Value> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

/// The summary of a run: what ran, the returns, what to read next.
pub fn report_run(ui: Ui, config: &Config, summary: &kooste::RunSummary) {
    let ran: Vec<&str> = summary.ran.iter().map(|s| s.name()).collect();
    let what = if ran.is_empty() {
        format!("everything is up to date ({})", summary.output_dir.display())
    } else {
        format!("ran {} → {}", ran.join(" → "), summary.output_dir.display())
    };
    let returns = summary.ran.contains(&Stage::Ingest) || summary.exit_code != 0;
    let counts = format!(
        "{} returns accepted, {} quarantined; {} errors, {} warnings (findings.csv)",
        summary.accepted,
        summary.quarantined.len(),
        summary.errors,
        summary.warnings
    );
    let names: Vec<&str> = summary.quarantined.iter().map(|q| q.file.as_str()).collect();
    if ui.json {
        // One line for the scheduler: the whole summary as fields.
        let quarantined: Vec<serde_json::Value> = summary
            .quarantined
            .iter()
            .map(|q| serde_json::json!({"file": q.file, "member": q.member, "errors": q.errors, "first_error": q.first_error}))
            .collect();
        let f = fields(&[
            ("exit_code", summary.exit_code.into()),
            ("ran", ran.clone().into()),
            ("accepted", summary.accepted.into()),
            ("quarantined", quarantined.into()),
            ("errors", summary.errors.into()),
            ("warnings", summary.warnings.into()),
            ("stale", summary.stale.clone().into()),
            ("removed", summary.removed.len().into()),
            ("record", summary.record.display().to_string().into()),
        ]);
        let m = if returns { format!("{what}; {counts}") } else { what };
        ui.say_with(if summary.exit_code == 0 { "INFO" } else { "WARN" }, &m, f);
        return;
    }
    ui.say("INFO", &what);
    if returns {
        ui.say("INFO", &counts);
    }
    if summary.exit_code == EXIT_NO_RETURNS {
        ui.say("WARN", &format!("no return was accepted from {} (exit {EXIT_NO_RETURNS}): the placement figures are empty", config.survey_dir.display()));
    }
    if !summary.stale.is_empty() {
        // Each reason was logged as a warning already; this line only tells the outcome.
        let n = summary.stale.len();
        ui.say("WARN", &format!("published from stale public data (exit {EXIT_STALE}): {n} source(s), see the warnings above and `stale` in run.json"));
    }
    if summary.quarantined.is_empty() {
        return;
    }
    ui.say("INFO", &format!("quarantined: {}", names.join(", ")));
    for q in &summary.quarantined {
        let first = q.first_error.as_deref().unwrap_or("");
        let line = format!("  {} ({}): {} errors; first: {first}", q.file, q.member.as_deref().unwrap_or("member unknown"), q.errors);
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
    ui.say("INFO", &format!("each school's feedback workbook is in {}", summary.output_dir.join("feedback").display()));
}
