//! The differential test: random server byte streams, valid and not, read by our codec and
//! by tungstenite. `DIFF_CASES` sets how many (default 4000), `DIFF_SEED` the first seed
//! (each case is seeded with `DIFF_SEED + index`, and a failure names it).

use super::*;

/// A small seeded generator (splitmix64): cases replay from their seed.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True one time in `n`.
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// One of `items`.
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Close codes a server may send (RFC 6455 section 7.4).
const ALLOWED: &[u16] = &[
    1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 3000, 3999, 4000, 4001, 4009,
    4100, 4200, 4999,
];
/// Close codes that may not appear on the wire.
const FORBIDDEN: &[u16] = &[
    0, 1, 999, 1004, 1005, 1006, 1014, 1015, 1016, 2000, 2999, 5000, 65535,
];

/// A frame before it is written out, so that mutations can bend any part of it.
#[derive(Debug, Clone)]
struct Raw {
    fin: bool,
    rsv: u8,
    opcode: u8,
    mask: Option<[u8; 4]>,
    payload: Vec<u8>,
    /// 0: shortest length form; 1: 16-bit; 2: 64-bit (longer forms are legal for tungstenite
    /// and us, though RFC 6455 asks senders for the shortest).
    length_form: u8,
}

impl Raw {
    fn new(fin: bool, opcode: u8, payload: Vec<u8>) -> Raw {
        Raw {
            fin,
            rsv: 0,
            opcode,
            mask: None,
            payload,
            length_form: 0,
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.push(u8::from(self.fin) << 7 | self.rsv << 4 | self.opcode);
        let m = if self.mask.is_some() { 0x80 } else { 0 };
        let len = self.payload.len();
        match self.length_form {
            0 if len < 126 => out.push(m | len as u8),
            0 | 1 if len <= 0xffff => {
                out.push(m | 126);
                out.extend_from_slice(&(len as u16).to_be_bytes());
            }
            _ => {
                out.push(m | 127);
                out.extend_from_slice(&(len as u64).to_be_bytes());
            }
        }
        let mut payload = self.payload.clone();
        if let Some(mask) = self.mask {
            out.extend_from_slice(&mask);
            for (i, b) in payload.iter_mut().enumerate() {
                *b ^= mask[i & 3];
            }
        }
        out.extend_from_slice(&payload);
    }
}

fn text(rng: &mut Rng, len: usize) -> Vec<u8> {
    let mut s = String::new();
    while s.len() < len {
        s.push(rng.pick(&['a', '{', '"', 'é', '€', '𝄞', ' ', 'z']));
    }
    s.into_bytes()
}

fn bytes(rng: &mut Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.next_u64() as u8).collect()
}

fn payload_len(rng: &mut Rng, max: usize) -> usize {
    match rng.below(20) {
        0 => max.saturating_sub(rng.below(3)),
        1 => (max + 1).min(200_000),
        2..=4 => rng.below(max.min(400) + 1),
        _ => rng.below(max.min(30) + 1),
    }
}

fn control(rng: &mut Rng) -> Raw {
    let opcode = rng.pick(&[0x9, 0xA]);
    let len = rng.below(12);
    Raw::new(true, opcode, bytes(rng, len))
}

fn close(rng: &mut Rng) -> Raw {
    let mut payload = match rng.below(10) {
        0 => Vec::new(),
        1 => vec![rng.next_u64() as u8],
        2 | 3 => rng.pick(FORBIDDEN).to_be_bytes().to_vec(),
        _ => rng.pick(ALLOWED).to_be_bytes().to_vec(),
    };
    if payload.len() == 2 {
        match rng.below(6) {
            0 => payload.extend_from_slice(&[0xce, 0x61]),
            1 | 2 => {
                let n = rng.below(10);
                payload.extend(text(rng, n))
            }
            _ => {}
        }
    }
    Raw::new(true, 0x8, payload)
}

/// One message, fragmented at random, with control frames between its fragments.
fn message(rng: &mut Rng, max: usize, frames: &mut Vec<Raw>) {
    let is_text = !rng.one_in(4);
    let len = payload_len(rng, max);
    let content = if is_text {
        text(rng, len)
    } else {
        bytes(rng, len)
    };
    let mut cuts: Vec<usize> = (0..rng.below(4))
        .map(|_| rng.below(content.len() + 1))
        .collect();
    cuts.sort_unstable();
    cuts.push(content.len());
    let mut from = 0;
    for (i, &to) in cuts.iter().enumerate() {
        let last = i + 1 == cuts.len();
        let opcode = match (i, is_text) {
            (0, true) => 0x1,
            (0, false) => 0x2,
            _ => 0x0,
        };
        frames.push(Raw::new(last, opcode, content[from..to].to_vec()));
        from = to;
        if !last && rng.one_in(3) {
            frames.push(control(rng));
        }
    }
}

/// Bends one frame so that it breaks (or may break) a rule.
fn mutate(rng: &mut Rng, frames: &mut Vec<Raw>) {
    if frames.is_empty() {
        return;
    }
    let i = rng.below(frames.len());
    let f = &mut frames[i];
    match rng.below(11) {
        0 => f.rsv = 1 << rng.below(3),
        1 => f.mask = Some([1, 2, 3, 4]),
        2 => f.opcode = rng.pick(&[3, 4, 5, 6, 7, 11, 12, 13, 14, 15]),
        3 => f.fin = !f.fin,
        4 => f.opcode = rng.pick(&[0x0, 0x1, 0x2, 0x8, 0x9, 0xA]),
        5 => f.payload.resize(126 + rng.below(4), b'x'),
        6 => {
            let bad: &[u8] = rng.pick(&[&[0xff][..], &[0xc0, 0x80], &[0xed, 0xa0, 0x80], &[0x80]]);
            let at = rng.below(f.payload.len() + 1);
            f.payload.splice(at..at, bad.iter().copied());
        }
        7 => {
            let n = f.payload.len().saturating_sub(1);
            f.payload.truncate(rng.below(n + 1));
        }
        8 => {
            let copy = f.clone();
            frames.insert(rng.below(frames.len() + 1), copy);
        }
        9 => {
            frames.remove(i);
        }
        _ => {
            let j = rng.below(frames.len());
            frames.swap(i, j);
        }
    }
}

/// A case: the limit, the stream, and the sizes of the reads it arrives in.
fn case(seed: u64) -> (usize, Vec<u8>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let max = rng.pick(&[16, 125, 126, 300, 1000, 70_000]);
    let mut frames = Vec::new();
    for _ in 0..rng.below(5) {
        if rng.one_in(4) {
            frames.push(control(&mut rng));
        }
        message(&mut rng, max, &mut frames);
    }
    if !rng.one_in(3) {
        frames.push(close(&mut rng));
        if rng.one_in(3) {
            frames.push(Raw::new(true, 0x1, b"after the close".to_vec()));
        }
    }
    if rng.one_in(2) {
        for _ in 0..=rng.below(3) {
            mutate(&mut rng, &mut frames);
        }
    }
    for f in &mut frames {
        if rng.one_in(12) {
            f.length_form = 1 + rng.below(2) as u8;
        }
    }
    let mut stream = Vec::new();
    for f in &frames {
        f.write(&mut stream);
    }
    if rng.one_in(6) {
        stream.truncate(rng.below(stream.len() + 1));
    }
    let reads = match rng.below(4) {
        0 => vec![1; stream.len().min(400)],
        1 => Vec::new(),
        _ => (0..rng.below(8)).map(|_| 1 + rng.below(64)).collect(),
    };
    (max, stream, reads)
}

/// Cuts `stream` into reads of the given sizes, the rest in one last read.
fn split<'a>(stream: &'a [u8], sizes: &[usize]) -> Vec<&'a [u8]> {
    let mut reads = Vec::new();
    let mut rest = stream;
    for &n in sizes {
        if rest.is_empty() {
            break;
        }
        let (head, tail) = rest.split_at(n.min(rest.len()));
        reads.push(head);
        rest = tail;
    }
    if !rest.is_empty() {
        reads.push(rest);
    }
    reads
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn our_reader_agrees_with_tungstenite_on_random_streams() {
    let cases = env("DIFF_CASES", 4000);
    let first = env("DIFF_SEED", 0x5eed_0000);
    let started = std::time::Instant::now();
    let mut verdicts = std::collections::BTreeMap::<String, usize>::new();
    for seed in first..first + cases {
        let (max, stream, sizes) = case(seed);
        let reads = split(&stream, &sizes);
        if let Some(why) = disagreement(&reads, max) {
            let sizes: Vec<usize> = reads.iter().map(|r| r.len()).collect();
            panic!(
                "seed {seed} (replay: DIFF_SEED={seed} DIFF_CASES=1): max {max}, {} reads \
                 {:?}…\nstream {stream:02x?}\n{why}",
                sizes.len(),
                &sizes[..sizes.len().min(16)]
            );
        }
        let end = theirs(&reads, max).end;
        let key = match end {
            End::Failed(c) => format!("failed {c}"),
            End::Closed(_) => "closed".to_owned(),
            End::Eof => "eof".to_owned(),
        };
        *verdicts.entry(key).or_default() += 1;
    }
    eprintln!(
        "{cases} cases from seed {first:#x} in {:?}: {verdicts:?}",
        started.elapsed()
    );
    // The generator must reach every verdict, or the test proves less than it claims.
    for key in ["eof", "closed", "failed 1002", "failed 1007", "failed 1009"] {
        assert!(
            cases < 1000 || verdicts.get(key).copied().unwrap_or(0) * 100 >= cases as usize,
            "under 1% of cases end {key}: {verdicts:?}"
        );
    }
}

#[test]
fn the_comparison_notices_a_difference() {
    // A text message tungstenite reads whole, cut by a limit only we were given.
    let frame = [&[0x81, 5][..], b"hello"].concat();
    assert_eq!(ours(&[&frame], 100).seen, [Seen::Text("hello".into())]);
    assert_ne!(ours(&[&frame], 4), theirs(&[&frame], 100));
    assert!(disagreement(&[&frame], 100).is_none());
}

#[test]
fn an_early_refusal_is_accepted_only_for_the_same_rule() {
    // A masked frame whose payload never arrives: we refuse it at its header, tungstenite
    // sees the stream end; completed, tungstenite refuses it too.
    let cut = [0x81, 0x85, 1, 2, 3, 4, b'h'];
    assert_eq!(ours(&[&cut], 100).end, End::Failed(1002));
    assert_eq!(theirs(&[&cut], 100).end, End::Eof);
    assert!(disagreement(&[&cut], 100).is_none());
    assert_eq!(missing_payload(&cut), Some(4));
    assert_eq!(missing_payload(&[0x81, 0x00, 0x81]), None);
}

#[test]
fn pongs_and_the_close_answer_are_written_back() {
    let stream = [
        &[0x89, 2][..],
        b"hi",
        &[0x88, 4, 0x03, 0xed][..], // 1005: may not be on the wire
        b"xy",
    ]
    .concat();
    let a = ours(&[&stream], 100);
    assert_eq!(a, theirs(&[&stream], 100));
    assert_eq!(a.end, End::Closed(Some(1002)));
    assert_eq!(
        a.written,
        [(0xA, b"hi".to_vec()), (0x8, 1002u16.to_be_bytes().to_vec())]
    );
}
