//! The flags that say how records are read, shared by the examples that read records (`count`,
//! `report`, `cluster_count`; included with `#[path]`): `--input-format`, `--text-field`,
//! `--source-field`, `--timestamp-field`, `--lang-field`, `--lossy`, `--max-record-bytes`.

use topictally::{FieldNames, InputFormat, ReadOptions};

/// The names of the flags.
pub const NAMES: [&str; 7] = [
    "--input-format",
    "--text-field",
    "--source-field",
    "--timestamp-field",
    "--lang-field",
    "--lossy",
    "--max-record-bytes",
];

/// The record flags seen so far.
#[derive(Default)]
pub struct RecordFlags {
    format: Option<InputFormat>,
    fields: FieldNames,
    lossy: bool,
    max_record_bytes: Option<usize>,
}

impl RecordFlags {
    /// Takes `flag` (one of [`NAMES`]), reading its value, if it has one, with `value`;
    /// `bad` turns a problem into the caller's error.
    pub fn take<E>(
        &mut self,
        flag: &str,
        value: impl FnOnce() -> Result<String, E>,
        bad: impl Fn(String) -> E,
    ) -> Result<(), E> {
        match flag {
            "--lossy" => self.lossy = true,
            "--input-format" => {
                let format = value()?
                    .parse()
                    .map_err(|e| bad(format!("--input-format: {e}")))?;
                self.format = Some(format);
            }
            "--text-field" => self.fields.text = value()?,
            "--source-field" => self.fields.source = value()?,
            "--timestamp-field" => self.fields.timestamp = value()?,
            "--lang-field" => self.fields.lang = value()?,
            "--max-record-bytes" => {
                let v = value()?;
                let n = v.parse().ok().filter(|&n: &usize| n > 0).ok_or_else(|| {
                    bad(format!(
                        "--max-record-bytes takes a positive number, not {v:?}"
                    ))
                })?;
                self.max_record_bytes = Some(n);
            }
            other => return Err(bad(format!("{other} is not a record flag"))),
        }
        Ok(())
    }

    /// The input format asked for (JSON Lines by default).
    pub fn format(&self) -> InputFormat {
        self.format.unwrap_or(InputFormat::JsonLines)
    }

    /// The reading options the flags describe.
    pub fn options(&self) -> ReadOptions {
        let mut options = ReadOptions::new();
        options
            .format(self.format())
            .fields(self.fields.clone())
            .lossy_utf8(self.lossy);
        if let Some(n) = self.max_record_bytes {
            options.max_record_bytes(n);
        }
        options
    }
}
