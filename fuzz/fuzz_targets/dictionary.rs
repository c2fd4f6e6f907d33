//! Any bytes as a TOML or JSON dictionary: a dictionary or a typed error, never a panic; a
//! dictionary that loads compiles and classifies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use topictally::{Classifier, Dictionary};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for loaded in [
        Dictionary::from_toml_str(text),
        Dictionary::from_json_str(text),
    ] {
        match loaded {
            Ok(dictionary) => {
                if let Ok(classifier) = Classifier::new(&dictionary) {
                    let _ = classifier.classify("Health care, insurers and #healthcare 医疗保险");
                }
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});
