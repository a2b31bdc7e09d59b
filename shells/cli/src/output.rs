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

/// The JSON form of a response object.
pub fn to_value(object: &impl Serialize) -> Value {
    serde_json::to_value(object).unwrap_or(Value::Null)
}

/// Pretty JSON.
pub fn json(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
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
