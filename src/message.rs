//! The message: what is classified and counted.

use crate::timestamp::Timestamp;

/// One message to classify: its text, and the fields that counts are broken down by.
///
/// A `&str` converts into a message with only a text:
///
/// ```
/// use topictally::{Message, Timestamp};
///
/// let plain: Message = "Open enrollment starts today".into();
/// let full = Message::new("Open enrollment starts today")
///     .with_source("twitter")
///     .with_timestamp(Timestamp::parse("2026-10-14T09:30:00Z")?)
///     .with_lang("en");
/// assert_eq!(plain.text, full.text);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Message<'a> {
    /// The text to match.
    pub text: &'a str,
    /// Where it was published (`twitter`, `blog`, …); counted under `unknown` when absent.
    pub source: Option<&'a str>,
    /// When it was published; left out of the time breakdown when absent.
    pub timestamp: Option<Timestamp>,
    /// Its language, for query filters (`lang:en`).
    pub lang: Option<&'a str>,
}

impl<'a> Message<'a> {
    /// A message with only a text.
    pub fn new(text: &'a str) -> Message<'a> {
        Message {
            text,
            ..Message::default()
        }
    }

    /// Sets the source label.
    pub fn with_source(mut self, source: &'a str) -> Message<'a> {
        self.source = Some(source);
        self
    }

    /// Sets the timestamp.
    pub fn with_timestamp(mut self, timestamp: Timestamp) -> Message<'a> {
        self.timestamp = Some(timestamp);
        self
    }

    /// Sets the language.
    pub fn with_lang(mut self, lang: &'a str) -> Message<'a> {
        self.lang = Some(lang);
        self
    }
}

impl<'a> From<&'a str> for Message<'a> {
    fn from(text: &'a str) -> Message<'a> {
        Message::new(text)
    }
}
