//! Seeded mutations of byte strings, for the bounded fuzz runs in unit tests (stable Rust;
//! the cargo-fuzz targets in `fuzz/` go further).

use crate::policy::Jitter;

/// How texts are mutated: up to `max_edits` edits each, an edit replacing, removing or
/// inserting one byte. Replacements are any byte when `any_byte`, else from `alphabet`;
/// insertions are always from `alphabet`.
pub(crate) struct Mutations<'a> {
    pub(crate) seeds: &'a [&'a str],
    pub(crate) count: usize,
    pub(crate) max_edits: usize,
    pub(crate) alphabet: &'a [u8],
    pub(crate) any_byte: bool,
    pub(crate) seed: u64,
}

impl Mutations<'_> {
    /// Hands `each` every mutated text, the seeds taken in turn.
    pub(crate) fn run(&self, mut each: impl FnMut(Vec<u8>)) {
        let mut rng = Jitter::new(self.seed);
        let mut pick = |n: usize| (rng.next_unit() * n as f64) as usize;
        for i in 0..self.count {
            let mut bytes = self.seeds[i % self.seeds.len()].as_bytes().to_vec();
            for _ in 0..1 + pick(self.max_edits) {
                let at = pick(bytes.len());
                let from_alphabet = self.alphabet[pick(self.alphabet.len())];
                match pick(3) {
                    0 if self.any_byte => bytes[at] = pick(256) as u8,
                    0 => bytes[at] = from_alphabet,
                    1 => {
                        bytes.remove(at);
                    }
                    _ => bytes.insert(at, from_alphabet),
                }
                if bytes.is_empty() {
                    break;
                }
            }
            each(bytes);
        }
    }
}
