//! The file format: length-prefixed, checksummed records.
//!
//! ```text
//! record = len: u32 LE | crc32(len): u32 LE | crc32(body): u32 LE | body[len]
//! body   = kind: u8 | ...
//!   Header  (1): magic [8] | generation: u64 LE      first record of every file
//!   Put     (2): key_len: u32 LE | key | value
//!   Delete  (3): key
//!   Commit  (4):                                     ends a batch; only committed batches count
//! ```
//!
//! The length has its own checksum, so a damaged length is reported as damage instead of
//! being read as "the rest of the file is a torn write". A cut file (a torn write) can only
//! end in an *incomplete* record; a complete record whose checksum fails is damage.

// ANCHOR: format
/// Bytes before a record's body.
pub(crate) const HEADER_LEN: usize = 12;
/// Identifies this format, version 1.
const MAGIC: &[u8; 8] = b"wrskv\x00\x00\x01";

const KIND_HEADER: u8 = 1;
const KIND_PUT: u8 = 2;
const KIND_DELETE: u8 = 3;
const KIND_COMMIT: u8 = 4;

// ANCHOR_END: format

/// A decoded record body.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Record<'a> {
    Header { magic_ok: bool, generation: u64 },
    Put { key: &'a [u8], value: &'a [u8] },
    Delete { key: &'a [u8] },
    Commit,
}

/// What lies at an offset of a file image.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Read<'a> {
    /// The end of the file.
    End,
    /// An incomplete record: the tail of a torn write.
    Torn,
    /// A complete record of `len` bytes.
    Record { record: Record<'a>, len: usize },
    /// A complete record that is damaged.
    Damaged(&'static str),
}

fn push_header(out: &mut Vec<u8>, body: &[&[u8]]) {
    let len: usize = body.iter().map(|part| part.len()).sum();
    // Callers keep bodies far below 4 GiB (see `MAX_VALUE_LEN`).
    let len = len as u32;
    let mut crc = crc32fast::Hasher::new();
    for part in body {
        crc.update(part);
    }
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&len.to_le_bytes()).to_le_bytes());
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    for part in body {
        out.extend_from_slice(part);
    }
}

/// Appends a header record for `generation`.
pub(crate) fn header(out: &mut Vec<u8>, generation: u64) {
    push_header(out, &[&[KIND_HEADER], MAGIC, &generation.to_le_bytes()]);
}

/// Appends a put record; returns its offset in `out` and length.
pub(crate) fn put(out: &mut Vec<u8>, key: &[u8], value: &[u8]) -> (usize, usize) {
    let start = out.len();
    let key_len = (key.len() as u32).to_le_bytes();
    push_header(out, &[&[KIND_PUT], &key_len, key, value]);
    (start, out.len() - start)
}

/// Appends a delete record.
pub(crate) fn delete(out: &mut Vec<u8>, key: &[u8]) {
    push_header(out, &[&[KIND_DELETE], key]);
}

/// Appends a commit record.
pub(crate) fn commit(out: &mut Vec<u8>) {
    push_header(out, &[&[KIND_COMMIT]]);
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0; 4];
    word.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(word)
}

// ANCHOR: read
/// Reads the record at `offset` of `bytes`.
pub(crate) fn read(bytes: &[u8], offset: usize) -> Read<'_> {
    let rest = &bytes[offset.min(bytes.len())..];
    if rest.is_empty() {
        return Read::End;
    }
    if rest.len() < HEADER_LEN {
        return Read::Torn;
    }
    let len = u32_at(rest, 0);
    if crc32fast::hash(&rest[..4]) != u32_at(rest, 4) {
        return Read::Damaged("the record length fails its checksum");
    }
    let total = HEADER_LEN + len as usize;
    if rest.len() < total {
        return Read::Torn;
    }
    let body = &rest[HEADER_LEN..total];
    if crc32fast::hash(body) != u32_at(rest, 8) {
        return Read::Damaged("the record fails its checksum");
    }
    match parse(body) {
        Some(record) => Read::Record { record, len: total },
        None => Read::Damaged("the record's checksum matches but its kind is unknown"),
    }
}

// ANCHOR_END: read

fn parse(body: &[u8]) -> Option<Record<'_>> {
    let (&kind, rest) = body.split_first()?;
    match kind {
        KIND_HEADER if rest.len() == 16 => {
            let mut generation = [0; 8];
            generation.copy_from_slice(&rest[8..]);
            Some(Record::Header {
                magic_ok: &rest[..8] == MAGIC,
                generation: u64::from_le_bytes(generation),
            })
        }
        KIND_PUT if rest.len() >= 4 => {
            let key_len = u32_at(rest, 0) as usize;
            let kv = &rest[4..];
            (key_len <= kv.len()).then(|| Record::Put {
                key: &kv[..key_len],
                value: &kv[key_len..],
            })
        }
        KIND_DELETE => Some(Record::Delete { key: rest }),
        KIND_COMMIT if rest.is_empty() => Some(Record::Commit),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_every_cut_is_torn() {
        let mut buf = Vec::new();
        header(&mut buf, 7);
        let (at, len) = put(&mut buf, b"k", b"value");
        assert_eq!(
            read(&buf, at),
            Read::Record {
                record: Record::Put {
                    key: b"k",
                    value: b"value"
                },
                len
            }
        );
        assert!(matches!(
            read(&buf, 0),
            Read::Record {
                record: Record::Header {
                    magic_ok: true,
                    generation: 7
                },
                ..
            }
        ));
        for cut in at + 1..buf.len() {
            assert_eq!(read(&buf[..cut], at), Read::Torn, "cut at {cut}");
        }
        assert_eq!(read(&buf, buf.len()), Read::End);
    }

    #[test]
    fn every_flipped_byte_is_damage() {
        let mut buf = Vec::new();
        put(&mut buf, b"key", b"some value");
        for i in 0..buf.len() {
            let mut bad = buf.clone();
            bad[i] ^= 0x40;
            assert!(matches!(read(&bad, 0), Read::Damaged(_)), "byte {i}");
        }
    }
}
