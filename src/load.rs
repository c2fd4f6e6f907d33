//! Loading dictionaries from TOML and JSON through serde, with every error located in its
//! file.
//!
//! Both formats accept two shapes: a list of topics, each with a `name`
//! (`[[topics]]` in TOML), and a table of topics keyed by name (`[topics.health]`). The raw
//! shape is read with serde into structs whose strings carry their position in the file (TOML's
//! `Spanned`, or for JSON the offset of the borrowed raw value); the checks of SEMANTICS.md §1
//! are the builder's, and the position of whatever they reject is looked up afterwards.

use std::fmt;
use std::marker::PhantomData;
use std::path::Path;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::dictionary::{Dictionary, DictionaryBuilder, Site, TopicBuilder};
use crate::error::{DictionaryError, DictionaryErrorKind, KeywordList};

impl Dictionary {
    /// Loads a dictionary from a `.toml` or `.json` file (chosen by the file name's ending).
    ///
    /// # Errors
    ///
    /// A [`DictionaryError`] whose message starts with the path and, where the format tells
    /// it, the line and column: `health.toml:12:5: topic "health": keyword 3 is empty`.
    pub fn from_path<P: AsRef<Path>>(path: P) -> Result<Dictionary, DictionaryError> {
        let path = path.as_ref();
        let located = |e: DictionaryError| e.with_path(path);
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase());
        let load: fn(&str) -> Result<Dictionary, DictionaryError> = match ext.as_deref() {
            Some("toml") => Dictionary::from_toml_str,
            Some("json") => Dictionary::from_json_str,
            _ => {
                return Err(located(DictionaryError::new(
                    DictionaryErrorKind::UnknownFormat,
                )))
            }
        };
        let text = std::fs::read_to_string(path).map_err(|e| {
            let message = e.to_string();
            located(DictionaryError::new(DictionaryErrorKind::Io { message }).with_source(e))
        })?;
        load(&text).map_err(located)
    }

    /// Loads a dictionary from TOML text.
    ///
    /// ```
    /// let dictionary = topictally::Dictionary::from_toml_str(r##"
    ///     [[topics]]
    ///     name = "healthcare"
    ///     keywords = ["healthcare", "health care", "#healthcare"]
    ///     exclude = ["job*"]
    ///
    ///     [[topics]]
    ///     name = "agencies"
    ///     keywords = ["CDC", "FDA"]
    ///     case_sensitive = true
    /// "##)?;
    /// assert_eq!(dictionary.topics()[1].name(), "agencies");
    /// # Ok::<(), topictally::DictionaryError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`DictionaryError`] with the line and column of the problem.
    pub fn from_toml_str(text: &str) -> Result<Dictionary, DictionaryError> {
        load::<Toml>(text)
    }

    /// Loads a dictionary from JSON text, in either shape:
    /// `{"topics": [{"name": "flu", "keywords": ["flu"]}]}` or
    /// `{"topics": {"flu": {"keywords": ["flu"]}}}`.
    ///
    /// # Errors
    ///
    /// A [`DictionaryError`] with the line and column of the problem.
    pub fn from_json_str(text: &str) -> Result<Dictionary, DictionaryError> {
        // Syntax and shape errors are found by a plain parse, whose positions serde_json
        // reports exactly; the located parse then cannot fail on them.
        if let Err(e) = serde_json::from_str::<RawDictionary<JsonPlain>>(text) {
            return Err(parse_error(e.to_string(), Some((e.line(), e.column())), e));
        }
        load::<Json>(text)
    }
}

/// A file format: how to parse it, and how a value carries its position.
trait Format {
    /// A value with its position.
    type Loc<T: DeserializeOwned>: DeserializeOwned;
    /// Parses the whole text.
    fn parse<T: DeserializeOwned>(text: &str) -> Result<T, DictionaryError>;
    /// Splits a located value into the value and its byte offset in `text`.
    fn split<T: DeserializeOwned>(loc: Self::Loc<T>, text: &str) -> (T, Option<usize>);
}

struct Toml;

impl Format for Toml {
    type Loc<T: DeserializeOwned> = toml::Spanned<T>;

    fn parse<T: DeserializeOwned>(text: &str) -> Result<T, DictionaryError> {
        toml::from_str(text).map_err(|e| {
            let position = e.span().map(|span| line_column(text, span.start));
            parse_error(e.message().to_string(), position, e)
        })
    }

    fn split<T: DeserializeOwned>(loc: toml::Spanned<T>, _text: &str) -> (T, Option<usize>) {
        let start = loc.span().start;
        (loc.into_inner(), Some(start))
    }
}

struct Json;

impl Format for Json {
    type Loc<T: DeserializeOwned> = JsonLoc<T>;

    fn parse<T: DeserializeOwned>(text: &str) -> Result<T, DictionaryError> {
        serde_json::from_str(text)
            .map_err(|e| parse_error(e.to_string(), Some((e.line(), e.column())), e))
    }

    fn split<T: DeserializeOwned>(loc: JsonLoc<T>, text: &str) -> (T, Option<usize>) {
        let offset = loc.address.checked_sub(text.as_ptr() as usize);
        (loc.value, offset.filter(|&o| o <= text.len()))
    }
}

/// JSON without positions, for the first, error-finding parse.
struct JsonPlain;

impl Format for JsonPlain {
    type Loc<T: DeserializeOwned> = T;

    fn parse<T: DeserializeOwned>(text: &str) -> Result<T, DictionaryError> {
        Json::parse(text)
    }

    fn split<T: DeserializeOwned>(loc: T, _text: &str) -> (T, Option<usize>) {
        (loc, None)
    }
}

/// A JSON value and the address of its text: it is read as a raw value borrowed from the
/// input, so its address minus the input's is its offset.
struct JsonLoc<T> {
    value: T,
    address: usize,
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for JsonLoc<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw: &'de serde_json::value::RawValue = Deserialize::deserialize(deserializer)?;
        let value = serde_json::from_str(raw.get()).map_err(de::Error::custom)?;
        Ok(JsonLoc {
            value,
            address: raw.get().as_ptr() as usize,
        })
    }
}

fn parse_error(
    message: String,
    position: Option<(usize, usize)>,
    source: impl std::error::Error + Send + Sync + 'static,
) -> DictionaryError {
    // serde_json appends " at line L column C"; the position already leads the message.
    let message = match message.rfind(" at line ") {
        Some(cut) if position.is_some() => message[..cut].to_string(),
        _ => message,
    };
    let message = message.trim_end().to_string();
    DictionaryError::new(DictionaryErrorKind::Parse { message })
        .with_position(position)
        .with_source(source)
}

/// The 1-based line and column (in characters) of byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = ""))]
struct RawDictionary<F: Format> {
    topics: RawTopics<F>,
}

/// The topics, in either shape, in the order of the file.
enum RawTopics<F: Format> {
    List(Vec<F::Loc<RawTopic<F>>>),
    Table(Vec<(String, F::Loc<RawTopic<F>>)>),
}

impl<'de, F: Format> Deserialize<'de> for RawTopics<F> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TopicsVisitor<F>(PhantomData<F>);
        impl<'de, F: Format> Visitor<'de> for TopicsVisitor<F> {
            type Value = RawTopics<F>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of topics or a table of topics keyed by name")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut topics = Vec::new();
                while let Some(topic) = seq.next_element()? {
                    topics.push(topic);
                }
                Ok(RawTopics::List(topics))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut topics = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    topics.push(entry);
                }
                Ok(RawTopics::Table(topics))
            }
        }
        deserializer.deserialize_any(TopicsVisitor(PhantomData))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = ""))]
struct RawTopic<F: Format> {
    #[serde(default)]
    name: Option<F::Loc<String>>,
    #[serde(default)]
    keywords: Option<Vec<F::Loc<String>>>,
    #[serde(default)]
    query: Option<F::Loc<String>>,
    #[serde(default)]
    exclude: Option<Vec<F::Loc<String>>>,
    #[serde(default)]
    case_sensitive: Option<bool>,
    #[serde(default)]
    whole_word: Option<bool>,
}

/// Where the parts of each topic were written: byte offsets of the topic, and of each keyword
/// of each list.
#[derive(Default)]
struct TopicPlaces {
    topic: Option<usize>,
    query: Option<usize>,
    keywords: Vec<Option<usize>>,
    exclude: Vec<Option<usize>>,
}

fn load<F: Format>(text: &str) -> Result<Dictionary, DictionaryError> {
    let raw: RawDictionary<F> = F::parse(text)?;
    // Each topic with its key in the table shape.
    type Entry<F> = (Option<String>, <F as Format>::Loc<RawTopic<F>>);
    let entries: Vec<Entry<F>> = match raw.topics {
        RawTopics::List(list) => list.into_iter().map(|t| (None, t)).collect(),
        RawTopics::Table(table) => table.into_iter().map(|(k, t)| (Some(k), t)).collect(),
    };
    let mut builder = DictionaryBuilder::new();
    let mut places = Vec::with_capacity(entries.len());
    for (key, loc) in entries {
        let (topic, topic_offset) = F::split(loc, text);
        let name = match (key, topic.name) {
            (Some(_), Some(name)) => {
                let (_, offset) = F::split(name, text);
                let message = "a topic in a table of topics is named by its key: remove \"name\"";
                return Err(DictionaryError::new(DictionaryErrorKind::Parse {
                    message: message.to_string(),
                })
                .with_position(offset.map(|o| line_column(text, o))));
            }
            (Some(key), None) => key,
            (None, Some(name)) => F::split(name, text).0,
            (None, None) => String::new(),
        };
        let mut place = TopicPlaces {
            topic: topic_offset,
            ..TopicPlaces::default()
        };
        let mut topic_builder = TopicBuilder::new(&name);
        if let Some(keywords) = topic.keywords {
            // Given, even empty: a topic with both keywords and a query is an error.
            topic_builder.keywords(std::iter::empty::<&str>());
            for loc in keywords {
                let (keyword, offset) = F::split(loc, text);
                topic_builder.keyword(&keyword);
                place.keywords.push(offset);
            }
        }
        if let Some(loc) = topic.query {
            let (query, offset) = F::split(loc, text);
            topic_builder.query(&query);
            place.query = offset;
        }
        for loc in topic.exclude.unwrap_or_default() {
            let (keyword, offset) = F::split(loc, text);
            topic_builder.exclude(&keyword);
            place.exclude.push(offset);
        }
        topic_builder
            .case_sensitive(topic.case_sensitive.unwrap_or(false))
            .whole_word(topic.whole_word.unwrap_or(true));
        builder.topic(&topic_builder);
        places.push(place);
    }
    builder.build_located(&|site| {
        let offset = match site {
            Site::Topic(t) => places.get(t)?.topic,
            Site::Query(t) => places.get(t)?.query,
            Site::Keyword(t, KeywordList::Keywords, k) => *places.get(t)?.keywords.get(k)?,
            Site::Keyword(t, KeywordList::Exclude, k) => *places.get(t)?.exclude.get(k)?,
        };
        offset.map(|o| line_column(text, o))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_columns() {
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("é\nxé", 5), (2, 3));
    }
}
