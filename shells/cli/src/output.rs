//! What the commands print: JSON (`--json`) or aligned text tables, and clock helpers.
//!
//! Tables are built from the objects' JSON form, so a field the API adds later shows up in
//! `--json` at once and a table never fails on an unknown value.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::Value;

/// Now, unix seconds (the shell's clock).
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `HH:MM:SS` (UTC) of a unix time.
pub fn clock_time(unix: i64) -> String {
    let seconds_of_day = unix.rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02}",
        seconds_of_day / 3600,
        seconds_of_day % 3600 / 60,
        seconds_of_day % 60
    )
}

/// `2026-11-30 08:11:40 UTC` for a unix time: how tables show `created` and `arrival_date`
/// (`--json` keeps the number).
pub fn human_time(unix: i64) -> String {
    // Days to a civil date: Howard Hinnant's days_from_civil, inverted.
    let days = unix.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {} UTC",
        clock_time(unix.rem_euclid(86_400))
    )
}

/// The fields holding a unix time, shown with [`human_time`] in tables.
const TIME_FIELDS: &[&str] = &["created", "arrival_date"];

/// `value` with its unix-time fields as [`human_time`] text, for a table.
pub fn with_human_times(mut value: Value) -> Value {
    if let Value::Object(map) = &mut value {
        for field in TIME_FIELDS {
            if let Some(slot) = map.get_mut(*field) {
                if let Some(unix) = slot.as_i64() {
                    *slot = Value::String(human_time(unix));
                }
            }
        }
    }
    value
}

/// Progress of a long listing on stderr: a spinner with a count when stderr is a terminal,
/// nothing at all otherwise (a file or a pipe gets no `\r` lines).
pub struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    /// Starts the spinner if stderr is a terminal.
    pub fn start(what: &str) -> Self {
        use std::io::IsTerminal;
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new_spinner().with_message(format!("fetching {what}"));
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Progress(Some(bar))
    }

    /// Shows how many objects were fetched so far.
    pub fn fetched(&self, count: usize) {
        if let Some(bar) = &self.0 {
            bar.set_message(format!("fetched {count} objects"));
        }
    }

    /// Clears the spinner.
    pub fn finish(self) {
        if let Some(bar) = self.0 {
            bar.finish_and_clear();
        }
    }
}

/// The JSON form of a response object.
pub fn to_value(object: &impl Serialize) -> Value {
    serde_json::to_value(object).unwrap_or(Value::Null)
}

/// A field as table text: strings bare, `null`/missing as `-`, objects and arrays as JSON.
pub fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "-".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(map)) if map.is_empty() => "-".to_owned(),
        Some(other) => other.to_string(),
    }
}

/// One object as `field  value` lines: `fields` first in that order, then any other
/// non-null scalar fields.
pub fn object_table(value: &Value, fields: &[&str]) -> String {
    let mut rows: Vec<(String, String)> = fields
        .iter()
        .filter(|f| value.get(**f).is_some_and(|v| !v.is_null()))
        .map(|f| ((*f).to_owned(), cell(value.get(*f))))
        .collect();
    if let Value::Object(map) = value {
        for (key, field) in map {
            let scalar = matches!(field, Value::String(_) | Value::Number(_) | Value::Bool(_));
            // A front end's secret has no business in a terminal table (`--json` has it all).
            if scalar && !fields.contains(&key.as_str()) && !key.ends_with("secret") {
                rows.push((key.clone(), cell(Some(field))));
            }
        }
    }
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    rows.iter()
        .map(|(k, v)| format!("{k:<width$}  {v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Objects as a table with a header row of `columns`.
pub fn list_table(items: &[Value], columns: &[&str]) -> String {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|item| columns.iter().map(|c| cell(item.get(*c))).collect())
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([c.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let mut out = vec![line(columns.iter().map(|c| c.to_uppercase()).collect())];
    out.extend(rows.into_iter().map(line));
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_time_is_utc_hours_minutes_seconds() {
        assert_eq!(clock_time(1_700_000_000), "22:13:20");
        assert_eq!(clock_time(0), "00:00:00");
    }

    #[test]
    fn human_time_is_the_utc_date_and_time() {
        assert_eq!(human_time(1_700_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(human_time(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(human_time(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(human_time(-1), "1969-12-31 23:59:59 UTC");
    }

    #[test]
    fn tables_show_created_and_arrival_date_as_human_times() {
        let value = serde_json::json!({"id": "po_1", "created": 1_700_000_000, "arrival_date": 0});
        let shown = with_human_times(value);
        assert_eq!(shown["created"], "2023-11-14 22:13:20 UTC");
        assert_eq!(shown["arrival_date"], "1970-01-01 00:00:00 UTC");
        assert_eq!(shown["id"], "po_1");
    }

    #[test]
    fn a_list_table_aligns_columns_and_marks_missing_fields() {
        let items = vec![
            serde_json::json!({"id": "pi_1", "amount": 2500, "status": "succeeded"}),
            serde_json::json!({"id": "pi_22", "amount": 10, "status": null}),
        ];
        assert_eq!(
            list_table(&items, &["id", "amount", "status"]),
            "ID     AMOUNT  STATUS\npi_1   2500    succeeded\npi_22  10      -"
        );
    }

    #[test]
    fn an_object_table_lists_the_chosen_fields_first() {
        let value =
            serde_json::json!({"amount": 2500, "id": "pi_1", "livemode": false, "metadata": {}});
        assert_eq!(
            object_table(&value, &["id", "amount"]),
            "id        pi_1\namount    2500\nlivemode  false"
        );
    }
}
