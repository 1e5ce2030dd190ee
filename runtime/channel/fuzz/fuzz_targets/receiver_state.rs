//! The receiver (and sender) reading an arbitrary buffer state: header positions and ring
//! bytes as a faulty or hostile peer might leave them. Must never panic or touch memory
//! outside the buffer; every outcome is a value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_rs_shared_channel::testing::{HEADER_WORDS, MAGIC_VALUE, WORDS, ends_from_image};

fn word(input: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    for (i, slot) in b.iter_mut().enumerate() {
        *slot = input.get(at + i).copied().unwrap_or(0);
    }
    u32::from_le_bytes(b)
}

fuzz_target!(|input: &[u8]| {
    let flags = input.first().copied().unwrap_or(0);
    let cap = 8 + word(input, 1) as usize % 600;
    let (mut tail, mut head) = (word(input, 5), word(input, 9));
    if flags & 1 == 0 {
        // Mostly positions in range (keeping the closed bit sometimes), so the record
        // parsing is reached, not only the range checks.
        tail = (tail & 0x8000_0000) | (tail & 0x7fff_ffff) % (2 * cap as u32);
        head %= 2 * cap as u32;
    }
    let mut words = [0u32; HEADER_WORDS];
    words[WORDS[0]] = if flags & 2 == 0 { MAGIC_VALUE } else { word(input, 13) };
    words[WORDS[1]] = if flags & 4 == 0 { cap as u32 } else { word(input, 17) };
    words[WORDS[2]] = tail;
    words[WORDS[4]] = head;
    let mut data = input.get(21..).unwrap_or(&[]).to_vec();
    data.resize(cap, 0);

    let (tx, rx) = ends_from_image(&words, &data);
    if let Ok(mut rx) = rx {
        let mut buf = Vec::new();
        for _ in 0..256 {
            if rx.try_recv_into(&mut buf).is_err() {
                break;
            }
            assert!(buf.len() <= cap - 4);
        }
    }
    if let Ok(mut tx) = tx {
        let len = input.len().min(cap);
        let _ = tx.try_send(&input[..len]);
    }
});
