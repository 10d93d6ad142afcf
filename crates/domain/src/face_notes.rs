//! What a face remembers of an object that Kassa's own model has no field for.

use crate::metadata::Metadata;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Notes a face keeps beside an object: per face (by its name), names to text: a provider's
/// references, the flow a payment was asked for, what a webhook subscribes to in the
/// provider's words. They are the face's, not the merchant's: the native API neither shows nor
/// writes them, and no metadata limit counts them. Each face bounds what it accepts into them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FaceNotes(BTreeMap<String, BTreeMap<String, String>>);

impl FaceNotes {
    /// `face`'s note `name`, if it keeps one.
    pub fn get(&self, face: &str, name: &str) -> Option<&str> {
        self.0.get(face)?.get(name).map(String::as_str)
    }

    /// Sets `face`'s note `name`.
    pub fn set(&mut self, face: &str, name: &str, value: impl Into<String>) {
        self.0.entry(face.to_owned()).or_default().insert(name.to_owned(), value.into());
    }

    /// These notes with `face`'s note `name` set to `value`, if there is one.
    pub fn with(mut self, face: &str, name: &str, value: Option<impl Into<String>>) -> FaceNotes {
        if let Some(value) = value {
            self.set(face, name, value);
        }
        self
    }

    /// Whether no face keeps a note.
    pub fn is_empty(&self) -> bool {
        self.0.values().all(BTreeMap::is_empty)
    }

    /// Writes `changes` over these notes: each note it holds replaces this one's.
    pub fn update(&mut self, changes: FaceNotes) {
        for (face, notes) in changes.0 {
            self.0.entry(face).or_default().extend(notes);
        }
    }

    /// Moves the notes an earlier Kassa kept in `metadata`, as `{face}_{name}` keys for each
    /// `(face, name)` of `kept`, into these notes. Returns whether any moved.
    pub fn lift_from(&mut self, metadata: &mut Metadata, kept: &[(&str, &str)]) -> bool {
        let mut moved = false;
        for (face, name) in kept {
            if let Some(value) = metadata.remove(&format!("{face}_{name}")) {
                self.set(face, name, value);
                moved = true;
            }
        }
        moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_kept_in_metadata_move_out_and_the_merchants_own_keys_stay() {
        let kept = [("face", "flow"), ("face", "reference")];
        let entries = [("order", "1001"), ("face_flow", "PUSH"), ("face_reference", "r-1"), ("face_other", "x")];
        let mut metadata =
            Metadata::new(entries.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()).unwrap();
        let mut notes = FaceNotes::default();
        assert!(notes.lift_from(&mut metadata, &kept));
        assert_eq!(metadata.entries().keys().collect::<Vec<_>>(), ["face_other", "order"]);
        assert_eq!((notes.get("face", "flow"), notes.get("face", "reference")), (Some("PUSH"), Some("r-1")));
        assert!(!notes.lift_from(&mut metadata, &kept), "nothing left to move");
    }

    #[test]
    fn an_update_replaces_the_notes_it_names_only() {
        let mut notes =
            FaceNotes::default().with("face", "reference", Some("a")).with("face", "description", Some("d"));
        notes.update(FaceNotes::default().with("face", "reference", Some("b")));
        assert_eq!((notes.get("face", "reference"), notes.get("face", "description")), (Some("b"), Some("d")));
        assert!(FaceNotes::default().with("face", "events", None::<String>).is_empty());
    }
}
